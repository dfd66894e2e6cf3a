#!/usr/bin/env bash
# Makes a development PKI for grantledgerd's mutual TLS with the openssl command (never for
# production: the CA key sits beside the certificates). Writes into DIR:
#   ca.pem, ca.key                   the test CA
#   server.pem, server.key           the server, for 127.0.0.1 and localhost (SAN)
#   poster, coordinator, auditor, admin (.pem/.key)
#                                    client certificates; identity in a URI SAN
#                                    spiffe://region.example/<name>, and CN <name>
#   authz.json                       the policy giving each of them its role
# With --extras, also what the tests need to see refusals:
#   poster2.pem/.key                 a second poster (spiffe://region.example/poster2)
#   cn-only.pem/.key                 a client with no URI SAN, only CN "finance-cn"
#   expired.pem/.key                 signed by the CA, valid 2020-01-01..2020-12-31
#   future.pem/.key                  signed by the CA, valid 2099-01-01..2099-12-31
#   other-ca.pem, stranger.pem/.key  another CA, and a client it signed that claims the
#                                    poster identity
# Usage: scripts/dev-pki.sh DIR [--extras]
set -euo pipefail

if [[ $# -lt 1 || "$1" == -* ]]; then
  echo "usage: $0 DIR [--extras]" >&2
  exit 1
fi
dir=$1
extras=false
[[ "${2:-}" == "--extras" ]] && extras=true
command -v openssl >/dev/null || { echo "$0: needs the openssl command (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"
umask 077  # keys are written 0600
domain=spiffe://region.example

new_key_and_csr() {  # name subject
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
  chmod 600 "$1.key"
}

make_ca() {  # name common-name
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$1.key" -subj "/O=grantledger dev/CN=$2" -days 3650 -out "$1.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  chmod 600 "$1.key"
}

sign() {  # name ca extensions
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 825 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
  chmod 644 "$1.pem"
}

client() {  # name ca [identity]
  new_key_and_csr "$1" "/O=grantledger dev/CN=$1"
  sign "$1" "$2" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=URI:${3:-$domain/$1}"
}

make_ca ca "grantledger dev CA"
chmod 644 ca.pem
new_key_and_csr server "/O=grantledger dev/CN=localhost"
sign server ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
for name in poster coordinator auditor admin; do client "$name" ca; done

cat > authz.json <<JSON
{
  "principals": [
    {"identity": "$domain/poster", "role": "poster"},
    {"identity": "$domain/coordinator", "role": "coordinator"},
    {"identity": "$domain/auditor", "role": "auditor"},
    {"identity": "$domain/admin", "role": "admin"}
  ]
}
JSON
chmod 644 authz.json

if $extras; then
  client poster2 ca
  # A client identified by its CN alone.
  new_key_and_csr cn-only "/O=grantledger dev/CN=finance-cn"
  sign cn-only ca "basicConstraints=CA:FALSE
extendedKeyUsage=clientAuth"
  # Expired and not yet valid: `openssl ca` takes explicit start and end dates.
  mkdir -p ca-db && : > ca-db/index.txt && echo 1000 > ca-db/serial
  cat > ca-db/ca.cnf <<CNF
[ca]
default_ca = dev
[dev]
dir = ca-db
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
organizationName = optional
[client]
basicConstraints = CA:FALSE
extendedKeyUsage = clientAuth
subjectAltName = URI:\${ENV::GL_IDENTITY}
CNF
  dated_client() {  # name start end (YYYYMMDDHHMMSSZ)
    new_key_and_csr "$1" "/O=grantledger dev/CN=$1"
    GL_IDENTITY="$domain/$1" openssl ca -batch -config ca-db/ca.cnf -extensions client \
      -in "$1.csr" -out "$1.pem" -startdate "$2" -enddate "$3" -notext 2>/dev/null
    rm -f "$1.csr"
    chmod 644 "$1.pem"
  }
  dated_client expired 20200101000000Z 20201231235959Z
  dated_client future 20990101000000Z 20991231235959Z
  rm -rf ca-db
  # Another CA, and a client it signed that claims the poster's identity.
  make_ca other-ca "some other CA"
  chmod 644 other-ca.pem
  client stranger other-ca "$domain/poster"
fi
rm -f ./*.srl
echo "dev PKI written to $dir"
