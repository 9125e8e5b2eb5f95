package arca.rest.files.io;

/**
 * An object key split the gateway's way: {@code <workspace>/<path>}. A key ending in {@code /} is a folder
 * ({@code folder} true, {@code path} without the slash), as S3 clients write "directories"; a key that is only a
 * workspace name has the empty path.
 */
record S3Key(String key, String workspace, String path, boolean folder) {

  static S3Key parse(String key) {
    boolean folder = key.endsWith("/");
    String trimmed = folder ? key.substring(0, key.length() - 1) : key;
    int slash = trimmed.indexOf('/');
    String workspace = slash < 0 ? trimmed : trimmed.substring(0, slash);
    if (workspace.isEmpty()) throw new S3Exception("InvalidObjectName", "A key starts with a workspace name: <workspace>/<path>");
    return new S3Key(key, workspace, slash < 0 ? "" : trimmed.substring(slash + 1), folder);
  }

  /** The key prefix of everything inside the folder at {@code folderPath} of {@code workspace}. */
  static String folderPrefix(String workspace, String folderPath) {
    return folderPath.isEmpty() ? workspace + "/" : workspace + "/" + folderPath + "/";
  }
}
