package arca.service;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request ids of the writes one entity applied lately, so that a write sent again (a gateway retrying after a
 * timeout, a client resending with the same {@code Idempotency-Key}) is answered without being applied twice.
 * <p>
 * Ids come from the events themselves (their {@code request_id} field, time from their {@code at} field), so they are
 * rebuilt by recovery; snapshots carry the recent ones in their {@code recent_requests} map field. Both fields are
 * plain additions to the protos: an older build ignores them. An id is kept {@link #KEEP_MS} (retries come within
 * seconds) and at most {@link #MAX} per entity (a very busy entity keeps its last {@link #MAX}).
 */
final class RecentRequests {
  static final long KEEP_MS = 120_000;
  static final int MAX = 5_000;
  /** Snapshots carry only the ids younger than this (a snapshot of a busy folder stays small). */
  static final long SNAPSHOT_KEEP_MS = 30_000;
  private static final Map<Descriptor, FieldDescriptor[]> FIELDS = new ConcurrentHashMap<>();

  private final LinkedHashMap<String, Long> ids = new LinkedHashMap<>();

  boolean contains(String requestId, long now) {
    Long at = ids.get(requestId);
    return at != null && at > now - KEEP_MS;
  }

  /** Notes the request id of {@code event}, if it has one. */
  void record(Object event, long now) {
    if (!(event instanceof Message m)) return;
    FieldDescriptor[] f = fields(m.getDescriptorForType());
    if (f[0] == null) return;
    String id = (String) m.getField(f[0]);
    if (id.isEmpty()) return;
    long at = f[1] != null && (Long) m.getField(f[1]) > 0 ? Math.min((Long) m.getField(f[1]), now) : now;
    add(id, at, now);
  }

  private void add(String id, long at, long now) {
    ids.remove(id);
    ids.put(id, at);
    Iterator<Map.Entry<String, Long>> oldest = ids.entrySet().iterator();
    while (oldest.hasNext()) {
      Map.Entry<String, Long> e = oldest.next();
      if (ids.size() <= MAX && e.getValue() > now - KEEP_MS) break;
      oldest.remove();
    }
  }

  /** {@code snapshot} with the recent ids in its {@code recent_requests} map (unchanged if it has no such field). */
  Object addTo(Object snapshot, long now) {
    if (!(snapshot instanceof Message m) || ids.isEmpty()) return snapshot;
    FieldDescriptor map = m.getDescriptorForType().findFieldByName("recent_requests");
    if (map == null || !map.isMapField()) return snapshot;
    Message.Builder b = m.toBuilder();
    for (Map.Entry<String, Long> e : ids.entrySet()) {
      if (e.getValue() <= now - SNAPSHOT_KEEP_MS) continue;
      Message.Builder entry = b.newBuilderForField(map);
      Descriptor d = entry.getDescriptorForType();
      b.addRepeatedField(map, entry.setField(d.findFieldByName("key"), e.getKey())
          .setField(d.findFieldByName("value"), e.getValue()).build());
    }
    return b.build();
  }

  /** Restores the ids a snapshot carries. */
  void restoreFrom(Object snapshot, long now) {
    if (!(snapshot instanceof Message m)) return;
    FieldDescriptor map = m.getDescriptorForType().findFieldByName("recent_requests");
    if (map == null || !map.isMapField()) return;
    for (int i = 0; i < m.getRepeatedFieldCount(map); i++) {
      Message entry = (Message) m.getRepeatedField(map, i);
      Descriptor d = entry.getDescriptorForType();
      add((String) entry.getField(d.findFieldByName("key")), (Long) entry.getField(d.findFieldByName("value")), now);
    }
  }

  int size() {
    return ids.size();
  }

  private static FieldDescriptor[] fields(Descriptor d) {
    return FIELDS.computeIfAbsent(d, t -> {
      FieldDescriptor id = t.findFieldByName("request_id");
      FieldDescriptor at = t.findFieldByName("at");
      return new FieldDescriptor[] {
          id != null && id.getJavaType() == FieldDescriptor.JavaType.STRING && !id.isRepeated() ? id : null,
          at != null && at.getJavaType() == FieldDescriptor.JavaType.LONG && !at.isRepeated() ? at : null};
    });
  }
}
