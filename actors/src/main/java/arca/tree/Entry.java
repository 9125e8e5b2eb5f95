package arca.tree;

import arca.proto.tree.Child;
import arca.proto.tree.NodeType;
import arca.proto.tree.TrashInfo;
import arca.service.CborSerializable;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A child of a folder as it travels in commands and replies (the persisted form is the Protobuf {@link Child}).
 * requestId: the request id of the write that put it where it is (a put, rename, move or trash), so that the write
 * sent again is recognised once it has applied ("" when none). props: its dead properties (see {@link Props}).
 */
public record Entry(String uuid, String name, boolean folder, long size, String etag, long mtime, long version,
                    String blobId, String sha256, String contentType, String trashPath, long trashedAt,
                    String trashedBy, String requestId, Map<String, String> props) implements CborSerializable {
  public Entry {
    if (requestId == null) requestId = ""; // from a node that predates request ids on children
    // from a node that predates dead properties; sorted and unmodifiable either way
    props = props == null || props.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(props));
  }

  static Entry of(Child c) {
    return new Entry(c.getUuid(), c.getName(), c.getType() == NodeType.FOLDER, c.getSize(), c.getEtag(), c.getMtime(),
        c.getVersion(), c.getBlobId(), c.getSha256(), c.getContentType(),
        c.hasTrash() ? c.getTrash().getOriginalPath() : null, c.hasTrash() ? c.getTrash().getTrashedAt() : 0,
        c.hasTrash() ? c.getTrash().getTrashedBy() : null, c.getRequestId(), c.getPropsMap());
  }

  Child toProto() {
    Child.Builder b = Child.newBuilder().setUuid(uuid).setName(name).setType(folder ? NodeType.FOLDER : NodeType.FILE)
        .setSize(size).setEtag(etag).setMtime(mtime).setVersion(version).setBlobId(blobId).setSha256(sha256)
        .setContentType(contentType).setRequestId(requestId).putAllProps(props);
    if (trashPath != null) {
      b.setTrash(TrashInfo.newBuilder().setOriginalPath(trashPath).setTrashedAt(trashedAt).setTrashedBy(trashedBy));
    }
    return b.build();
  }

  static Entry folder(String uuid, String name, long now) {
    return new Entry(uuid, name, true, 0, "", now, 1, "", "", "", null, 0, null, "", Map.of());
  }

  Entry named(String newName) {
    return new Entry(uuid, newName, folder, size, etag, mtime, version, blobId, sha256, contentType, trashPath,
        trashedAt, trashedBy, requestId, props);
  }

  Entry trashed(String originalPath, long at, String by) {
    return new Entry(uuid, uuid, folder, size, etag, mtime, version, blobId, sha256, contentType, originalPath, at, by,
        requestId, props);
  }

  Entry restored(String newName) {
    return new Entry(uuid, newName, folder, size, etag, mtime, version, blobId, sha256, contentType, null, 0, null,
        requestId, props);
  }

  /** The same entry, put where it goes by the write with this request id. */
  Entry byRequest(String id) {
    return new Entry(uuid, name, folder, size, etag, mtime, version, blobId, sha256, contentType, trashPath, trashedAt,
        trashedBy, id, props);
  }

  /** The same entry with these dead properties. */
  Entry withProps(Map<String, String> newProps) {
    return new Entry(uuid, name, folder, size, etag, mtime, version, blobId, sha256, contentType, trashPath, trashedAt,
        trashedBy, requestId, newProps);
  }
}
