package arca.rest.access;

/** Whether the caller may read (list, download) and write (upload, change, delete) a node. */
public record Rights(boolean read, boolean write) {
  public static final Rights NONE = new Rights(false, false);
  public static final Rights FULL = new Rights(true, true);
}
