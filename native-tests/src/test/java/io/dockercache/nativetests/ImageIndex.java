package io.dockercache.nativetests;

import java.nio.file.Path;
import java.util.List;

/** A multi-platform image: an OCI index in an OCI layout and the images it lists. */
record ImageIndex(Path layout, String ref, Descriptor index, String mediaType, byte[] indexBytes, List<Image> images) {

    @Override
    public String toString() {
        return ref + "@" + index.digest();
    }
}
