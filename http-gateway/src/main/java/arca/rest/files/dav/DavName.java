package arca.rest.files.dav;

/** A property name: namespace URI ("" for none) and local name; {@link #key} is how the tree stores it. */
record DavName(String ns, String local) {
  /** The WebDAV namespace. */
  static final String DAV = "DAV:";

  String key() {
    return "{" + ns + "}" + local;
  }

  boolean isDav() {
    return ns.equals(DAV);
  }

  static DavName ofKey(String key) {
    int close = key.lastIndexOf('}');
    return new DavName(key.substring(1, close), key.substring(close + 1));
  }

  static DavName dav(String local) {
    return new DavName(DAV, local);
  }
}
