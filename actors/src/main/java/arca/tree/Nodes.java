package arca.tree;

import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.proto.tree.TrashInfo;

/** Index entries as the tree service answers them. */
final class Nodes {
  private Nodes() {}

  static Node node(String datasource, String path, Entry e) {
    Node.Builder b = Node.newBuilder().setUuid(e.uuid()).setDatasource(datasource).setPath(path).setName(e.name())
        .setType(e.folder() ? NodeType.FOLDER : NodeType.FILE).setSize(e.size()).setEtag(e.etag()).setMtime(e.mtime())
        .setVersion(e.version()).setBlobId(e.blobId()).setSha256(e.sha256()).setContentType(e.contentType())
        .putAllProps(e.props());
    if (e.trashPath() != null) {
      b.setTrash(TrashInfo.newBuilder().setOriginalPath(e.trashPath()).setTrashedAt(e.trashedAt()).setTrashedBy(e.trashedBy()));
    }
    return b.build();
  }

  /** A datasource's root folder. */
  static Node root(String datasource) {
    return Node.newBuilder().setUuid(FolderEntity.ROOT).setDatasource(datasource).setType(NodeType.FOLDER).build();
  }
}
