package io.dockercache.common;

/**
 * The {@code <reference>} of a manifest URL: either a tag or a digest, never both.
 */
public record Reference(Tag tag, Digest digest) {

    public Reference {
        if ((tag == null) == (digest == null)) {
            throw new IllegalArgumentException(
                    "a reference is exactly one of a tag or a digest, got tag=" + tag + ", digest=" + digest);
        }
    }

    /**
     * A tag can never contain {@code ':'} and a digest always does (spec.md, "Pulling
     * manifests"), so the colon decides which grammar applies and which error the caller sees.
     */
    public static Reference parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("invalid reference: a tag or digest is required");
        }
        return s.indexOf(':') >= 0 ? of(Digest.parse(s)) : of(Tag.parse(s));
    }

    public static Reference of(Tag tag) {
        return new Reference(tag, null);
    }

    public static Reference of(Digest digest) {
        return new Reference(null, digest);
    }

    public boolean isDigest() {
        return digest != null;
    }

    /** The wire form: the tag, or {@code algorithm:hex}. */
    @Override
    public String toString() {
        return isDigest() ? digest.toString() : tag.toString();
    }
}
