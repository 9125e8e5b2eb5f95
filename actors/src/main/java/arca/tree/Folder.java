package arca.tree;

import arca.path.RelativePath;
import arca.proto.tree.Child;
import arca.proto.tree.ChildAdopted;
import arca.proto.tree.ChildPropsChanged;
import arca.proto.tree.ChildPut;
import arca.proto.tree.ChildRemoved;
import arca.proto.tree.ChildRenamed;
import arca.proto.tree.FolderSnapshot;
import arca.proto.tree.MoveOutStarted;
import arca.proto.tree.NodeType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The state of one folder: its children by name key (NFC), moves out of it not yet completed, and the ids of the
 * recent adoptions (so that a resent one applies once). Mutable on purpose (a folder may hold 100,000 children):
 * only the entity's event handler changes it, and nothing outside the entity sees it; replies carry copies.
 */
final class Folder {
  private static final int RECENT_OPS = 1000;

  final TreeMap<String, Child> children = new TreeMap<>();
  final Map<String, MoveOutStarted> pending = new LinkedHashMap<>();
  final LinkedHashSet<String> recentOps = new LinkedHashSet<>();
  private long changes;
  private List<Child> sorted;
  private String sortedFor;
  private long sortedAt = -1;

  Child get(String name) {
    return children.get(RelativePath.nfc(name));
  }

  // ---- events ----

  Folder apply(ChildPut e) {
    put(e.getChild());
    return this;
  }

  Folder apply(ChildRemoved e) {
    children.remove(RelativePath.nfc(e.getName()));
    changes++;
    return this;
  }

  Folder apply(ChildRenamed e) {
    children.remove(RelativePath.nfc(e.getFrom()));
    put(e.getChild());
    return this;
  }

  Folder apply(ChildPropsChanged e) {
    Child c = get(e.getName());
    if (c != null) {
      put(c.toBuilder().clearProps().putAllProps(Props.changed(c.getPropsMap(), e.getRemovedList(), e.getSetMap())).build());
    }
    return this;
  }

  Folder apply(MoveOutStarted e) {
    pending.put(e.getOpId(), e);
    children.remove(RelativePath.nfc(e.getOriginal().getName()));
    changes++;
    return this;
  }

  Folder completed(String opId) {
    pending.remove(opId);
    return this;
  }

  Folder aborted(String opId) {
    MoveOutStarted e = pending.remove(opId);
    if (e != null) put(e.getOriginal());
    return this;
  }

  Folder apply(ChildAdopted e) {
    put(e.getChild());
    recentOps.add(e.getOpId());
    if (recentOps.size() > RECENT_OPS) recentOps.remove(recentOps.iterator().next());
    return this;
  }

  private void put(Child c) {
    children.put(RelativePath.nfc(c.getName()), c);
    changes++;
  }

  FolderSnapshot snapshot() {
    return FolderSnapshot.newBuilder().addAllChildren(children.values()).addAllPending(pending.values())
        .addAllRecentOps(recentOps).build();
  }

  static Folder of(FolderSnapshot s) {
    Folder f = new Folder();
    s.getChildrenList().forEach(f::put);
    s.getPendingList().forEach(p -> f.pending.put(p.getOpId(), p));
    f.recentOps.addAll(s.getRecentOpsList());
    return f;
  }

  // ---- listing ----

  record Page(List<Child> children, long total, String nextCursor) {}

  /**
   * One page. Name order walks the map from a cursor (the last key of the previous page), so every page of a huge
   * folder costs the same; other orders sort once per change of the folder and page by offset.
   */
  Page page(FolderEntity.ListParams p) {
    NavigableMap<String, Child> view = children;
    if (!p.prefix().isEmpty()) {
      String from = RelativePath.nfc(p.prefix());
      view = children.subMap(from, true, from + Character.MAX_VALUE, false);
    }
    int limit = p.limit();
    if (p.trashPrefix() != null) return trashPage(view, p);
    if (p.sort() == 0 && !p.foldersFirst()) {
      long total = view.size();
      NavigableMap<String, Child> ordered = p.descending() ? view.descendingMap() : view;
      String after = p.cursor().startsWith("k:") ? p.cursor().substring(2) : p.startAfter().isEmpty() ? null : RelativePath.nfc(p.startAfter());
      if (after != null) ordered = ordered.tailMap(after, false);
      int skip = after == null ? Math.max(0, p.offset()) : 0;
      List<Child> out = new ArrayList<>(Math.min(limit, 1024));
      String last = null;
      boolean more = false;
      for (Map.Entry<String, Child> e : ordered.entrySet()) {
        if (skip > 0) {
          skip--;
          continue;
        }
        if (out.size() == limit) {
          more = true;
          break;
        }
        out.add(e.getValue());
        last = e.getKey();
      }
      return new Page(out, total, more ? "k:" + last : "");
    }
    List<Child> all = sortedView(view, p);
    int from = p.cursor().startsWith("o:") ? Integer.parseInt(p.cursor().substring(2)) : Math.max(0, p.offset());
    int to = (int) Math.min((long) from + limit, all.size());
    List<Child> out = from >= all.size() ? List.of() : List.copyOf(all.subList(from, to));
    return new Page(out, all.size(), to < all.size() ? "o:" + to : "");
  }

  private List<Child> sortedView(NavigableMap<String, Child> view, FolderEntity.ListParams p) {
    String key = p.sort() + "|" + p.descending() + "|" + p.foldersFirst() + "|" + p.prefix();
    if (sorted != null && sortedAt == changes && key.equals(sortedFor)) return sorted;
    Comparator<Child> order = switch (p.sort()) {
      case 1 -> Comparator.comparingLong(Child::getMtime);
      case 2 -> Comparator.comparingLong(Child::getSize);
      default -> Comparator.comparing((Child c) -> RelativePath.nfc(c.getName()));
    };
    order = order.thenComparing(c -> RelativePath.nfc(c.getName()));
    if (p.descending()) order = order.reversed();
    if (p.foldersFirst()) {
      order = Comparator.comparing((Child c) -> c.getType() != NodeType.FOLDER).thenComparing(order);
    }
    List<Child> all = new ArrayList<>(view.values());
    all.sort(order);
    sorted = all;
    sortedFor = key;
    sortedAt = changes;
    return all;
  }

  private static Page trashPage(NavigableMap<String, Child> view, FolderEntity.ListParams p) {
    List<Child> matching = view.values().stream()
        .filter(c -> c.getTrash().getOriginalPath().startsWith(p.trashPrefix()))
        .sorted(Comparator.comparingLong((Child c) -> c.getTrash().getTrashedAt()).reversed())
        .toList();
    int from = Math.max(0, p.offset());
    int to = (int) Math.min((long) from + p.limit(), matching.size());
    return new Page(from >= matching.size() ? List.of() : matching.subList(from, to), matching.size(), "");
  }
}
