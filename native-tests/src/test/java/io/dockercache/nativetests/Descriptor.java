package io.dockercache.nativetests;

/** A content-addressed blob: digest and size, as a manifest lists it. */
record Descriptor(String digest, long size) {

    @Override
    public String toString() {
        return digest + " (" + size + " bytes)";
    }
}
