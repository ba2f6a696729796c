#include "testing/tls_cert.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>

namespace syncline::testing {

namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter>;
using Cert = std::unique_ptr<X509, Deleter>;

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Deleter> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// A certificate for `subject_cn` with `key`, signed by `issuer_key` (issuer: null for itself).
Cert MakeCert(const char* subject_cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
              long serial, bool ca) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(subject_cn), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer ? issuer : cert.get();
  bool ok = ca ? AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE") &&
                     AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign")
               : AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
                     AddExtension(cert.get(), signer, NID_subject_alt_name,
                                  "IP:127.0.0.1,IP:::1,DNS:localhost") &&
                     AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
  if (!ok || X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) return nullptr;
  return cert;
}

bool WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  bool ok = cert ? PEM_write_X509(f, cert) == 1
                 : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

TestCertificates MakeTestCertificates(const std::string& dir) {
  TestCertificates out{dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
  Key ca_key(EVP_EC_gen("P-256"));
  Key server_key(EVP_EC_gen("P-256"));
  if (!ca_key || !server_key) {
    ADD_FAILURE() << "could not make EC keys";
    return {};
  }
  Cert ca = MakeCert("Syncline test CA", ca_key.get(), nullptr, ca_key.get(), 1, true);
  Cert server = ca ? MakeCert("127.0.0.1", server_key.get(), ca.get(), ca_key.get(), 2, false)
                   : nullptr;
  if (!server || !WritePem(out.ca_file, ca.get(), nullptr) ||
      !WritePem(out.cert_file, server.get(), nullptr) ||
      !WritePem(out.key_file, nullptr, server_key.get())) {
    ADD_FAILURE() << "could not make or write the test certificates in " << dir;
    return {};
  }
  return out;
}

}  // namespace syncline::testing
