package arca.serialization;

import akka.actor.typed.ActorRef;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.ProtocolMessageEnum;

import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Deterministic sample instances with every field set, built generically: Protobuf messages through their
 * descriptors (values derived from the field number, so a field keeps its value across renames), records through
 * their canonical constructors (values derived from the component name). The same class always gives the same
 * sample, which is what lets the golden data test compare what an old file holds with what the current code would
 * have written: <b>never change the value rules below</b>, only add rules for new types.
 */
public final class Samples {
  private static final int MAX_DEPTH = 4;

  private final ActorRef<?> ref;

  /** @param ref the actor reference put in every {@code ActorRef} component (it must resolve when read back) */
  public Samples(ActorRef<?> ref) {
    this.ref = ref;
  }

  public Object of(Class<?> type) {
    if (Message.class.isAssignableFrom(type)) return proto(type);
    if (type.isRecord()) return record(type, 0);
    throw new IllegalArgumentException("no sample rule for " + type.getName() + " (neither a Protobuf message nor a record)");
  }

  // ---- Protobuf ----

  public static Message proto(Class<?> type) {
    try {
      Message.Builder b = (Message.Builder) type.getMethod("newBuilder").invoke(null);
      fill(b, 0);
      return b.build();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build a sample of " + type.getName(), e);
    }
  }

  private static void fill(Message.Builder b, int depth) {
    Descriptor d = b.getDescriptorForType();
    for (FieldDescriptor f : d.getFields()) {
      var oneof = f.getRealContainingOneof();
      if (oneof != null && b.hasOneof(oneof)) continue; // the first field of a real oneof is the one set
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= MAX_DEPTH) continue;
      if (f.isRepeated()) {
        b.addRepeatedField(f, value(b, f, depth));
      } else {
        b.setField(f, value(b, f, depth));
      }
    }
  }

  private static Object value(Message.Builder parent, FieldDescriptor f, int depth) {
    int n = f.getNumber();
    return switch (f.getJavaType()) {
      case STRING -> "s" + n;
      case INT -> 100 + n;
      case LONG -> 1_700_000_000_000L + n;
      case BOOLEAN -> true;
      case FLOAT -> n + 0.5f;
      case DOUBLE -> n + 0.25d;
      case BYTE_STRING -> ByteString.copyFromUtf8("b" + n);
      case ENUM -> nonZero(f);
      case MESSAGE -> {
        Message.Builder child = parent.newBuilderForField(f);
        fill(child, depth + 1);
        yield child.build();
      }
    };
  }

  private static EnumValueDescriptor nonZero(FieldDescriptor f) {
    List<EnumValueDescriptor> values = f.getEnumType().getValues();
    return values.stream().filter(v -> v.getNumber() != 0).findFirst().orElse(values.get(0));
  }

  // ---- records (Jackson) ----

  private Object record(Class<?> type, int depth) {
    RecordComponent[] components = type.getRecordComponents();
    Class<?>[] types = Stream.of(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      args[i] = value(components[i].getGenericType(), components[i].getName(), depth + 1);
    }
    try {
      Constructor<?> canonical = type.getDeclaredConstructor(types);
      canonical.setAccessible(true);
      return canonical.newInstance(args);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("the canonical constructor of " + type.getName() + " refused the sample values",
          e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build a sample of " + type.getName(), e);
    }
  }

  private Object value(Type generic, String name, int depth) {
    Class<?> raw = raw(generic);
    int h = Math.floorMod(name.hashCode(), 1000);
    if (raw == String.class) return name + "-v";
    if (raw == boolean.class || raw == Boolean.class) return true;
    if (raw == int.class || raw == Integer.class) return 1 + h;
    if (raw == long.class || raw == Long.class) return 1_700_000_000_000L + h;
    if (raw == short.class || raw == Short.class) return (short) (1 + h);
    if (raw == double.class || raw == Double.class) return h + 0.25d;
    if (raw == float.class || raw == Float.class) return h + 0.5f;
    if (raw == byte[].class) return (name + "-b").getBytes(StandardCharsets.UTF_8);
    if (ActorRef.class.isAssignableFrom(raw)) return ref;
    if (raw.isEnum()) return enumValue(raw);
    if (Message.class.isAssignableFrom(raw)) return proto(raw);
    if (raw.isRecord()) {
      if (depth > MAX_DEPTH) throw new IllegalStateException("records nested deeper than " + MAX_DEPTH + " at " + name);
      return record(raw, depth);
    }
    if (raw == List.class) return List.of(value(argument(generic, 0, name), name + "0", depth));
    if (raw == Set.class) return Set.of(value(argument(generic, 0, name), name + "0", depth));
    if (raw == Optional.class) return Optional.of(value(argument(generic, 0, name), name, depth));
    if (raw == Map.class) {
      return Map.of(value(argument(generic, 0, name), name + "K", depth), value(argument(generic, 1, name), name + "V", depth));
    }
    throw new IllegalArgumentException("no sample rule for component '" + name + "' of type " + generic.getTypeName()
        + ": add one to " + Samples.class.getName());
  }

  private static Object enumValue(Class<?> type) {
    Object[] constants = type.getEnumConstants();
    List<Object> known = Stream.of(constants)
        .filter(c -> !(c instanceof ProtocolMessageEnum) || !"UNRECOGNIZED".equals(((Enum<?>) c).name()))
        .toList();
    return known.size() > 1 ? known.get(1) : known.get(0);
  }

  private static Class<?> raw(Type t) {
    if (t instanceof Class<?> c) return c;
    if (t instanceof ParameterizedType p) return (Class<?>) p.getRawType();
    if (t instanceof GenericArrayType) throw new IllegalArgumentException("no sample rule for generic arrays: " + t);
    throw new IllegalArgumentException("no sample rule for type variable or wildcard " + t.getTypeName());
  }

  private static Type argument(Type t, int i, String name) {
    if (t instanceof ParameterizedType p) {
      Type a = p.getActualTypeArguments()[i];
      if (a instanceof WildcardType w) return w.getUpperBounds()[0];
      return a;
    }
    throw new IllegalArgumentException("raw collection type for component '" + name + "'");
  }
}
