package dev.portico.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERT61String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * A certificate name as OpenSSL prints it for nginx: {@link #rfc2253} is
 * {@code X509_NAME_print_ex(..., XN_FLAG_RFC2253)} ({@code $ssl_client_s_dn}: last component
 * first, OpenSSL's short attribute names, UTF-8 bytes above 0x7F and controls as {@code \XX}),
 * {@link #oneline} is {@code X509_NAME_oneline} (the {@code _legacy} variables:
 * {@code /C=../CN=..} in certificate order). Java's own RFC 2253 form differs (it writes
 * emailAddress as an OID, for one), hence this.
 */
final class DistinguishedName {
    /** OpenSSL's short names for the attributes certificates use. */
    private static final Map<String, String> SHORT = new HashMap<>();

    static {
        String[][] names = {
            {"2.5.4.3", "CN"}, {"2.5.4.4", "SN"}, {"2.5.4.5", "serialNumber"}, {"2.5.4.6", "C"}, {"2.5.4.7", "L"},
            {"2.5.4.8", "ST"}, {"2.5.4.9", "street"}, {"2.5.4.10", "O"}, {"2.5.4.11", "OU"}, {"2.5.4.12", "title"},
            {"2.5.4.13", "description"}, {"2.5.4.15", "businessCategory"}, {"2.5.4.16", "postalAddress"},
            {"2.5.4.17", "postalCode"}, {"2.5.4.18", "postOfficeBox"}, {"2.5.4.41", "name"}, {"2.5.4.42", "GN"},
            {"2.5.4.43", "initials"}, {"2.5.4.44", "generationQualifier"}, {"2.5.4.46", "dnQualifier"},
            {"2.5.4.65", "pseudonym"}, {"2.5.4.97", "organizationIdentifier"},
            {"1.2.840.113549.1.9.1", "emailAddress"}, {"1.2.840.113549.1.9.2", "unstructuredName"},
            {"0.9.2342.19200300.100.1.1", "UID"}, {"0.9.2342.19200300.100.1.25", "DC"},
            {"1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL"}, {"1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST"},
            {"1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC"},
        };
        for (String[] n : names) {
            SHORT.put(n[0], n[1]);
        }
    }

    private DistinguishedName() {
    }

    static String rfc2253(X500Principal p) {
        RDN[] rdns = X500Name.getInstance(p.getEncoded()).getRDNs();
        StringBuilder b = new StringBuilder();
        for (int i = rdns.length - 1; i >= 0; i--) {
            if (i < rdns.length - 1) {
                b.append(',');
            }
            // OpenSSL reverses the flat list of entries, so a multi-valued RDN's values come out reversed too
            AttributeTypeAndValue[] avas = rdns[i].getTypesAndValues();
            for (int j = avas.length - 1; j >= 0; j--) {
                if (j < avas.length - 1) {
                    b.append('+');
                }
                String sn = SHORT.get(avas[j].getType().getId());
                b.append(sn != null ? sn : avas[j].getType().getId()).append('=');
                appendRfc2253Value(b, avas[j].getValue(), sn == null);
            }
        }
        return b.toString();
    }

    static String oneline(X500Principal p) {
        StringBuilder b = new StringBuilder();
        for (RDN rdn : X500Name.getInstance(p.getEncoded()).getRDNs()) {
            AttributeTypeAndValue[] avas = rdn.getTypesAndValues();
            for (int j = 0; j < avas.length; j++) {
                ASN1ObjectIdentifier type = avas[j].getType();
                String sn = SHORT.get(type.getId());
                b.append(j == 0 ? '/' : '+').append(sn != null ? sn : type.getId()).append('=');
                for (byte x : contentOctets(avas[j].getValue())) {
                    int c = x & 0xff;
                    if (c < ' ' || c > '~') {
                        b.append("\\x").append(hex(c));
                    } else {
                        if (c == '/' || c == '+') {
                            b.append('\\');
                        }
                        b.append((char) c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** ASN1_STRFLGS_RFC2253: strings as UTF-8 with RFC 2253's escapes; other types (or unknown attributes) as #hex of their DER. */
    private static void appendRfc2253Value(StringBuilder b, ASN1Encodable value, boolean unknownType) {
        if (unknownType || !(value instanceof ASN1String s)) {
            b.append('#');
            for (byte x : der(value)) {
                b.append(hex(x & 0xff));
            }
            return;
        }
        byte[] utf8 = text(value, s).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < utf8.length; i++) {
            int c = utf8[i] & 0xff;
            boolean first = i == 0;
            boolean last = i == utf8.length - 1;
            if (c > 0x7f || c < 0x20 || c == 0x7f) {
                b.append('\\').append(hex(c));
            } else if (",+\"\\<>;".indexOf(c) >= 0 || (c == '#' && first) || (c == ' ' && (first || last))) {
                b.append('\\').append((char) c);
            } else {
                b.append((char) c);
            }
        }
    }

    /** The characters of a string value; a T61String's bytes are read as Latin-1, as OpenSSL does. */
    private static String text(ASN1Encodable value, ASN1String s) {
        if (value instanceof DERT61String) {
            return new String(contentOctets(value), StandardCharsets.ISO_8859_1);
        }
        return s.getString();
    }

    private static byte[] der(ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** The value's bytes without tag and length. */
    private static byte[] contentOctets(ASN1Encodable value) {
        byte[] der = der(value);
        if (der.length < 2) {
            return new byte[0];
        }
        int i = 1;
        int len = der[i++] & 0xff;
        if (len > 0x7f) {
            int n = len & 0x7f;
            len = 0;
            for (int k = 0; k < n && i < der.length; k++) {
                len = (len << 8) | (der[i++] & 0xff);
            }
        }
        return java.util.Arrays.copyOfRange(der, i, Math.min(der.length, i + len));
    }

    private static String hex(int c) {
        return Character.toString(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            + Character.toUpperCase(Character.forDigit(c & 0xf, 16));
    }
}
