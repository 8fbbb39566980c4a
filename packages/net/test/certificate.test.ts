/** selfSignedCertificate(): a well-formed X.509 every time (random serials included), usable by tls. */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { expect, it } from 'vitest';
import { selfSignedCertificate } from '../src/index.js';

it('makes certificates OpenSSL parses and verifies, whatever the random serial', () => {
  // A serial with a leading zero byte once broke DER (1 in 256): make enough to meet one.
  for (let i = 0; i < 400; i++) {
    const { key, cert } = selfSignedCertificate();
    const x509 = new X509Certificate(cert);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    if (i === 0) {
      expect(x509.subject).toBe('CN=localhost');
      expect(x509.subjectAltName).toContain('DNS:localhost');
      expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(x509.checkHost('localhost')).toBe('localhost');
      expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now());
    }
  }
});
