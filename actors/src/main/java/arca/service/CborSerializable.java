package arca.service;

/** Marker for entity commands and replies: serialized with Jackson CBOR (bound in cluster-config), never Java. */
public interface CborSerializable {}
