package arca.serialization;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import arca.service.CborSerializable;
import com.google.protobuf.GeneratedMessageV3;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Every class of the production code that can cross nodes or land on disk, found on the classpath with the JDK's
 * own means (class loader resources, directories and jars), so that a new service (its {@code arca.proto.<svc>}
 * messages, its entity's commands and replies) is covered without being listed anywhere:
 * <ul>
 *   <li>every concrete Protobuf message under {@code arca.proto} (persisted events and snapshots, gRPC messages);
 *   <li>every concrete {@link CborSerializable} class under {@code arca};
 *   <li>every class reachable from an entity's {@link EntityTypeKey}: the permitted subclasses of its sealed
 *       command interface, and the reply types named by their {@code ActorRef<T>} components (whether or not they
 *       remember to implement the marker: that is what the binding check is for).
 * </ul>
 * Test classes are left out (they live next to this class, in test-classes).
 */
public final class MessageClasses {
  private MessageClasses() {}

  private static final Comparator<Class<?>> BY_NAME = Comparator.comparing(Class::getName);

  /** All production classes under the package {@code arca} (excluding test classes). */
  public static Set<Class<?>> production() {
    String testLocation = location(MessageClasses.class);
    Set<String> names = new TreeSet<>();
    ClassLoader loader = MessageClasses.class.getClassLoader();
    try {
      Enumeration<URL> roots = loader.getResources("arca/");
      while (roots.hasMoreElements()) collect(roots.nextElement(), names);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<Class<?>> classes = new TreeSet<>(BY_NAME);
    for (String name : names) {
      Class<?> c;
      try {
        c = Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException("cannot load " + name, e);
      }
      if (!location(c).equals(testLocation)) classes.add(c);
    }
    if (classes.isEmpty()) throw new IllegalStateException("no production class found under arca/ on the classpath");
    return classes;
  }

  /** Concrete Protobuf messages of the package {@code arca.proto} and below. */
  public static Set<Class<?>> protobufMessages(Set<Class<?>> production) {
    Set<Class<?>> out = new TreeSet<>(BY_NAME);
    for (Class<?> c : production) {
      if (c.getName().startsWith("arca.proto.") && GeneratedMessageV3.class.isAssignableFrom(c) && concrete(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /** Classes that travel between actors as records (Jackson): the marker's implementations and the entities' protocol. */
  public static Set<Class<?>> actorMessages(Set<Class<?>> production) {
    Set<Class<?>> out = new TreeSet<>(BY_NAME);
    for (Class<?> c : production) {
      if (CborSerializable.class.isAssignableFrom(c) && concrete(c)) out.add(c);
    }
    for (Class<?> command : entityCommandTypes(production)) reachable(command, out);
    return out;
  }

  /** The message type of every {@code EntityTypeKey<M>} constant of the production code. */
  public static Set<Class<?>> entityCommandTypes(Set<Class<?>> production) {
    Set<Class<?>> out = new TreeSet<>(BY_NAME);
    for (Class<?> c : production) {
      Field[] fields;
      try {
        fields = c.getDeclaredFields();
      } catch (LinkageError e) {
        continue;
      }
      for (Field f : fields) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == EntityTypeKey.class
            && f.getGenericType() instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> m) {
          out.add(m);
        }
      }
    }
    return out;
  }

  /** A protocol type, its permitted subclasses (sealed) and the reply types of their {@code ActorRef} components. */
  static void reachable(Class<?> root, Set<Class<?>> out) {
    Deque<Class<?>> todo = new ArrayDeque<>();
    todo.add(root);
    Set<Class<?>> seen = new LinkedHashSet<>();
    while (!todo.isEmpty()) {
      Class<?> c = todo.poll();
      if (!seen.add(c)) continue;
      if (c.isSealed()) todo.addAll(Stream.of(c.getPermittedSubclasses()).toList());
      if (concrete(c)) out.add(c);
      if (c.isRecord()) {
        for (RecordComponent rc : c.getRecordComponents()) {
          Type t = rc.getGenericType();
          if (t instanceof ParameterizedType p && p.getRawType() == ActorRef.class
              && p.getActualTypeArguments()[0] instanceof Class<?> reply) {
            todo.add(reply);
          }
        }
      }
    }
  }

  static boolean concrete(Class<?> c) {
    return !c.isInterface() && !Modifier.isAbstract(c.getModifiers()) && !c.isAnonymousClass() && !c.isLocalClass()
        && !c.isSynthetic();
  }

  private static String location(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    return source == null || source.getLocation() == null ? "" : source.getLocation().toString();
  }

  private static void collect(URL root, Set<String> names) throws IOException {
    switch (root.getProtocol()) {
      case "file" -> {
        Path dir;
        try {
          dir = Path.of(root.toURI());
        } catch (URISyntaxException e) {
          throw new IOException(e);
        }
        Path base = dir.getParent(); // the directory holding arca/
        try (Stream<Path> files = Files.walk(dir)) {
          files.filter(p -> p.toString().endsWith(".class"))
              .forEach(p -> addName(base.relativize(p).toString().replace(File.separatorChar, '/'), names));
        }
      }
      case "jar" -> {
        JarURLConnection connection = (JarURLConnection) root.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = connection.getJarFile()) {
          for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            String entry = e.nextElement().getName();
            if (entry.startsWith("arca/")) addName(entry, names);
          }
        }
      }
      default -> throw new IOException("cannot list classes under " + root);
    }
  }

  private static void addName(String resource, Set<String> names) {
    if (!resource.endsWith(".class") || resource.endsWith("module-info.class") || resource.endsWith("package-info.class")) {
      return;
    }
    names.add(resource.substring(0, resource.length() - ".class".length()).replace('/', '.'));
  }
}
