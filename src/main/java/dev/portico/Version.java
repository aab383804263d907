package dev.portico;

/** Version strings. Portico follows the behaviour of one nginx release, named here. */
public final class Version {
    private Version() {
    }

    public static final String PORTICO = readVersion();
    /** The nginx release whose documented behaviour Portico follows. */
    public static final String NGINX = "1.30.0";

    private static String readVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0";
    }
}
