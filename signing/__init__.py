"""Keys and certificates: PKCS#12 / PKCS#11 signers, RFC 8785 canonical bytes, detached CMS,
verification against trust anchors and cached CRLs, and a test-only demo PKI.

Imports nothing of ours. Entry points: signing.signer (P12Signer, Pkcs11Signer, listings),
signing.verify (verify_detached, verify_many), signing.trust (TrustStore),
signing.canonical (canonical_bytes), signing.errors (SigningError), signing.demo_pki.
"""
