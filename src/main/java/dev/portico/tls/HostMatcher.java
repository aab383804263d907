package dev.portico.tls;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * OpenSSL's {@code X509_check_host} with no flags, as nginx calls it on the backend's
 * certificate: the DNS names of the subject alternative names, or the subject's common names
 * when there are none; ASCII case ignored; one wildcard, in the first label of a pattern with at
 * least two dots, matching one whole label ({@code *.example.com}) or the rest of a label
 * ({@code www*.example.com}), never inside an IDNA label. An IP address in the name is matched
 * as text, as nginx does (it does not look at IP address entries).
 */
final class HostMatcher {
    private static final int DNS_NAME = 2;

    private HostMatcher() {
    }

    static boolean matches(X509Certificate cert, String name) {
        if (name == null || name.isEmpty() || name.indexOf('\0') >= 0) {
            return false;
        }
        byte[] subject = name.getBytes(StandardCharsets.ISO_8859_1);
        boolean sawDns = false;
        try {
            Collection<List<?>> alt = cert.getSubjectAlternativeNames();
            if (alt != null) {
                for (List<?> entry : alt) {
                    if (((Integer) entry.get(0)) == DNS_NAME) {
                        sawDns = true;
                        if (equalWildcard(((String) entry.get(1)).getBytes(StandardCharsets.ISO_8859_1), subject)) {
                            return true;
                        }
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        if (sawDns) {
            return false;
        }
        X500Name subjectName = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        for (RDN rdn : subjectName.getRDNs(BCStyle.CN)) {
            String cn = IETFUtils.valueToString(rdn.getFirst().getValue());
            if (equalWildcard(cn.getBytes(StandardCharsets.UTF_8), subject)) {
                return true;
            }
        }
        return false;
    }

    private static boolean equalWildcard(byte[] pattern, byte[] subject) {
        int star = subject.length > 1 && subject[0] == '.' ? -1 : validStar(pattern);
        if (star < 0) {
            return equalNoCase(pattern, 0, pattern.length, subject, 0, subject.length);
        }
        return wildcardMatch(pattern, star, subject);
    }

    private static boolean wildcardMatch(byte[] pattern, int star, byte[] subject) {
        int prefixLen = star;
        int suffixStart = star + 1;
        int suffixLen = pattern.length - suffixStart;
        if (subject.length < prefixLen + suffixLen) {
            return false;
        }
        if (!equalNoCase(pattern, 0, prefixLen, subject, 0, prefixLen)) {
            return false;
        }
        int wildStart = prefixLen;
        int wildEnd = subject.length - suffixLen;
        if (!equalNoCase(subject, wildEnd, suffixLen, pattern, suffixStart, suffixLen)) {
            return false;
        }
        boolean allowIdna = false;
        if (prefixLen == 0 && suffixLen > 0 && pattern[suffixStart] == '.') {
            // a wildcard that is the whole first label matches at least one character
            if (wildStart == wildEnd) {
                return false;
            }
            allowIdna = true;
        }
        if (!allowIdna && subject.length >= 4 && startsWithIdna(subject, 0)) {
            return false;
        }
        if (wildEnd == wildStart + 1 && subject[wildStart] == '*') {
            return true;
        }
        for (int p = wildStart; p < wildEnd; p++) {
            byte c = subject[p];
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** The position of the one usable wildcard of the pattern, or -1 (then it is compared as plain text). */
    private static int validStar(byte[] p) {
        final int start = 1;
        final int hyphen = 4;
        final int idna = 8;
        int star = -1;
        int state = start;
        int dots = 0;
        for (int i = 0; i < p.length; i++) {
            byte c = p[i];
            if (c == '*') {
                boolean atStart = (state & start) != 0;
                boolean atEnd = i == p.length - 1 || p[i + 1] == '.';
                if (star >= 0 || (state & idna) != 0 || dots > 0) {
                    return -1;
                }
                if (!atStart && !atEnd) {
                    return -1;
                }
                star = i;
                state &= ~start;
            } else if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
                if ((state & start) != 0 && p.length - i >= 4 && startsWithIdna(p, i)) {
                    state |= idna;
                }
                state &= ~(hyphen | start);
            } else if (c == '.') {
                if ((state & (hyphen | start)) != 0) {
                    return -1;
                }
                state = start;
                dots++;
            } else if (c == '-') {
                if ((state & start) != 0) {
                    return -1;
                }
                state |= hyphen;
            } else {
                return -1;
            }
        }
        if ((state & (start | hyphen)) != 0 || dots < 2) {
            return -1;
        }
        return star;
    }

    private static boolean startsWithIdna(byte[] b, int at) {
        return (b[at] | 0x20) == 'x' && (b[at + 1] | 0x20) == 'n' && b[at + 2] == '-' && b[at + 3] == '-';
    }

    private static boolean equalNoCase(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
        if (aLen != bLen) {
            return false;
        }
        for (int i = 0; i < aLen; i++) {
            int l = a[aOff + i] & 0xff;
            int r = b[bOff + i] & 0xff;
            if (l == 0) {
                return false;
            }
            if (l != r) {
                if (l >= 'A' && l <= 'Z') {
                    l += 'a' - 'A';
                }
                if (r >= 'A' && r <= 'Z') {
                    r += 'a' - 'A';
                }
                if (l != r) {
                    return false;
                }
            }
        }
        return true;
    }
}
