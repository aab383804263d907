package dev.portico.tls;

import static org.assertj.core.api.Assertions.assertThat;

import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.Test;

/** Names printed as OpenSSL prints them for $ssl_client_s_dn and $ssl_client_s_dn_legacy. */
class DistinguishedNameTest {
    private static X500Principal name() throws Exception {
        // values given as DER strings: BouncyCastle would read "#..." as hex
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(new AttributeTypeAndValue(BCStyle.C, new DERPrintableString("US")))
            .addRDN(utf8(BCStyle.O, "#hash"))
            .addRDN(utf8(BCStyle.OU, " spaced "))
            .addRDN(utf8(BCStyle.CN, "a+b;c<d>\"e\\/f,g"))
            .addMultiValuedRDN(new AttributeTypeAndValue[] {utf8(BCStyle.CN, "x"), utf8(BCStyle.UID, "y")})
            .addRDN(new AttributeTypeAndValue(new ASN1ObjectIdentifier("1.2.3.4"), new DERPrintableString("z")))
            .addRDN(utf8(BCStyle.L, "tab\there \u00fcber"));
        return new X500Principal(b.build().getEncoded());
    }

    private static AttributeTypeAndValue utf8(ASN1ObjectIdentifier type, String value) {
        return new AttributeTypeAndValue(type, new DERUTF8String(value));
    }

    @Test
    void rfc2253IsOpenSslsForm() throws Exception {
        assertThat(DistinguishedName.rfc2253(name())).isEqualTo(
            "L=tab\\09here \\C3\\BCber,1.2.3.4=#13017A,UID=y+CN=x,CN=a\\+b\\;c\\<d\\>\\\"e\\\\/f\\,g,OU=\\ spaced\\ ,O=\\#hash,C=US");
    }

    @Test
    void onelineIsTheLegacyForm() throws Exception {
        assertThat(DistinguishedName.oneline(name())).isEqualTo(
            "/C=US/O=#hash/OU= spaced /CN=a\\+b;c<d>\"e\\\\/f,g/CN=x+UID=y/1.2.3.4=z/L=tab\\x09here \\xC3\\xBCber");
    }
}
