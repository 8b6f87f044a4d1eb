#!/usr/bin/env bash
# Generates the private CA, node and CLI client certificates (Ed25519) for the
# mTLS voting cluster, and manages a certificate revocation list. OpenSSL 3 only.
set -euo pipefail

PROG="$(basename "$0")"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"

usage() {
  cat <<EOF
Usage: $PROG [options]
       $PROG --revoke FILE.crt [--reason REASON] [--out DIR] [--crl-days N]
       $PROG --gen-crl [--out DIR] [--crl-days N]
       $PROG --expired NAME --node-id I [--out DIR] [--san-extra LIST]

Generates an Ed25519 private CA, one certificate per node and a CLI client
certificate for mutual TLS 1.3. Safe to run twice: an existing CA (ca.key) is
reused and existing leaf certificates are kept unless --renew or --force.

Files written to the output directory:
  ca.crt ca.key                 CA (CN $DEFAULT_CA_CN, valid 3650 days)
  node<i>.crt node<i>.key       i = 1..N; CN node-<i>, SAN DNS:node-<i>,
                                DNS:localhost, IP:127.0.0.1 (+ --san-extra);
                                EKU serverAuth,clientAuth
  client.crt client.key         CN client-<name>; EKU clientAuth
  crl.pem                       only with --revoke / --gen-crl
  .ca/                          openssl ca database (index.txt, crlnumber, openssl.cnf)
Keys are PKCS#8 PEM, mode 600; certificates mode 644.

Options:
  --out DIR           output directory (env CERTS_DIR; default: <repo>/certs)
  --nodes N           number of node certificates (env NODES; default 5)
  --client-name NAME  client certificate name, CN client-NAME, NAME matching
                      [A-Za-z0-9._-]{1,64} (env CLIENT_NAME; default cli)
  --ca-cn CN          common name of a newly created CA (env CA_CN; default $DEFAULT_CA_CN)
  --days N            validity of node/client certificates in days (env DAYS; default 365)
  --san-extra LIST    extra SANs for node certificates, comma separated, each
                      DNS:name or IP:address; {i} is replaced by the node number,
                      e.g. 'DNS:mtls-node-{i},IP:172.28.0.1{i}' (env SAN_EXTRA)
  --renew             re-issue node/client certificates with the existing CA
                      (existing leaf keys are kept; missing ones are created)
  --force             regenerate everything: new CA, new keys, new certificates;
                      removes the old CA database and crl.pem
  --revoke FILE       revoke certificate FILE (must be issued by this CA) and
                      write crl.pem; revoking twice is harmless
  --reason REASON     revocation reason for --revoke (unspecified, keyCompromise,
                      CACompromise, affiliationChanged, superseded,
                      cessationOfOperation, certificateHold; default unspecified)
  --gen-crl           write (or refresh) crl.pem with the current revocations
  --crl-days N        validity of crl.pem in days (env CRL_DAYS; default 30)
  --expired NAME      TESTING AID: issue an already expired node certificate
                      NAME.crt / NAME.key (valid 2020-01-01..2020-01-02) for the
                      node given by --node-id, signed by the existing CA
  --node-id I         node number for --expired
  -h, --help          show this help

Environment: CERTS_DIR NODES CLIENT_NAME CA_CN DAYS SAN_EXTRA CRL_DAYS
(command-line options take precedence).

Exit status: 0 success, 1 failure, 2 usage error.
EOF
}

DEFAULT_CA_CN="mtls-voting-ca"
CA_DAYS=3650

die() {
  echo "$PROG: error: $*" >&2
  exit 1
}

usage_error() {
  echo "$PROG: $*" >&2
  echo >&2
  usage >&2
  exit 2
}

need_arg() {
  [[ $# -ge 2 && -n "$2" ]] || usage_error "option $1 requires an argument"
}

OUT="${CERTS_DIR:-$REPO_DIR/certs}"
NODES="${NODES:-5}"
CLIENT_NAME="${CLIENT_NAME:-cli}"
CA_CN="${CA_CN:-$DEFAULT_CA_CN}"
DAYS="${DAYS:-365}"
SAN_EXTRA="${SAN_EXTRA:-}"
CRL_DAYS="${CRL_DAYS:-30}"
FORCE=0
RENEW=0
MODE=generate
REVOKE_FILE=""
REASON="unspecified"
EXPIRED_NAME=""
NODE_ID=""

set_mode() {
  [[ "$MODE" == generate ]] || usage_error "only one of --revoke, --gen-crl, --expired may be given"
  MODE="$1"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --out) need_arg "$@"; OUT="$2"; shift 2 ;;
    --nodes) need_arg "$@"; NODES="$2"; shift 2 ;;
    --client-name) need_arg "$@"; CLIENT_NAME="$2"; shift 2 ;;
    --ca-cn) need_arg "$@"; CA_CN="$2"; shift 2 ;;
    --days) need_arg "$@"; DAYS="$2"; shift 2 ;;
    --san-extra) need_arg "$@"; SAN_EXTRA="$2"; shift 2 ;;
    --crl-days) need_arg "$@"; CRL_DAYS="$2"; shift 2 ;;
    --renew) RENEW=1; shift ;;
    --force) FORCE=1; shift ;;
    --revoke) need_arg "$@"; set_mode revoke; REVOKE_FILE="$2"; shift 2 ;;
    --reason) need_arg "$@"; REASON="$2"; shift 2 ;;
    --gen-crl) set_mode gencrl; shift ;;
    --expired) need_arg "$@"; set_mode expired; EXPIRED_NAME="$2"; shift 2 ;;
    --node-id) need_arg "$@"; NODE_ID="$2"; shift 2 ;;
    --out=* | --nodes=* | --client-name=* | --ca-cn=* | --days=* | --san-extra=* | --crl-days=* | \
      --revoke=* | --reason=* | --expired=* | --node-id=*)
      opt="${1%%=*}"
      val="${1#*=}"
      shift
      set -- "$opt" "$val" "$@"
      ;;
    *) usage_error "unknown option: $1" ;;
  esac
done

# ---------------------------------------------------------------- validation

is_pos_int() { [[ "$1" =~ ^[1-9][0-9]{0,5}$ ]]; }

is_pos_int "$NODES" || usage_error "--nodes/NODES must be a positive integer, got '$NODES'"
is_pos_int "$DAYS" || usage_error "--days/DAYS must be a positive integer, got '$DAYS'"
is_pos_int "$CRL_DAYS" || usage_error "--crl-days/CRL_DAYS must be a positive integer, got '$CRL_DAYS'"
[[ "$CLIENT_NAME" =~ ^[A-Za-z0-9._-]{1,64}$ ]] ||
  usage_error "--client-name/CLIENT_NAME must match [A-Za-z0-9._-]{1,64}, got '$CLIENT_NAME'"
[[ -n "$CA_CN" && "$CA_CN" != *"/"* ]] || usage_error "--ca-cn/CA_CN must be non-empty and contain no '/'"
[[ -n "$OUT" ]] || usage_error "output directory must not be empty"
case "$REASON" in
  unspecified | keyCompromise | CACompromise | affiliationChanged | superseded | cessationOfOperation | certificateHold) ;;
  *) usage_error "unknown --reason '$REASON'" ;;
esac
[[ "$FORCE" == 0 || "$RENEW" == 0 ]] || usage_error "--force and --renew are mutually exclusive"
if [[ "$MODE" != generate && ("$FORCE" == 1 || "$RENEW" == 1) ]]; then
  [[ "$MODE" == expired ]] || usage_error "--force/--renew cannot be combined with --revoke/--gen-crl"
fi
if [[ "$MODE" == expired ]]; then
  EXPIRED_NAME="${EXPIRED_NAME%.crt}"
  [[ "$EXPIRED_NAME" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || usage_error "--expired NAME must match [A-Za-z0-9._-]{1,64}"
  [[ "$EXPIRED_NAME" != ca && "$EXPIRED_NAME" != client ]] || usage_error "--expired NAME must not be 'ca' or 'client'"
  [[ -n "$NODE_ID" ]] || usage_error "--expired requires --node-id I"
  is_pos_int "$NODE_ID" || usage_error "--node-id must be a positive integer, got '$NODE_ID'"
elif [[ -n "$NODE_ID" ]]; then
  usage_error "--node-id is only valid with --expired"
fi

# Validates the extra SAN list once (with a sample node number).
san_for_node() { # $1 = node number -> prints the full SAN value
  local i="$1" list entry out
  out="DNS:node-$i,DNS:localhost,IP:127.0.0.1"
  [[ -z "$SAN_EXTRA" ]] && {
    echo "$out"
    return
  }
  list="${SAN_EXTRA//\{i\}/$i}"
  IFS=',' read -r -a entries <<<"$list"
  for entry in "${entries[@]}"; do
    entry="${entry#"${entry%%[![:space:]]*}"}"
    entry="${entry%"${entry##*[![:space:]]}"}"
    [[ -z "$entry" ]] && continue
    if [[ "$entry" =~ ^DNS:[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
      :
    elif [[ "$entry" =~ ^IP:([0-9]{1,3}\.){3}[0-9]{1,3}$ || "$entry" =~ ^IP:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$ ]]; then
      :
    else
      echo "invalid --san-extra entry '$entry' (expected DNS:name or IP:address)" >&2
      return 1
    fi
    out="$out,$entry"
  done
  echo "$out"
}
san_for_node 1 >/dev/null || usage_error "bad --san-extra/SAN_EXTRA value '$SAN_EXTRA'"

command -v openssl >/dev/null 2>&1 || die "openssl not found in PATH; install OpenSSL 3 (e.g. apt-get install openssl)"
OPENSSL_VERSION="$(openssl version 2>/dev/null || true)"
[[ "$OPENSSL_VERSION" =~ ^OpenSSL\ 3\. ]] || die "OpenSSL 3.x is required, found: ${OPENSSL_VERSION:-unknown}"

# ---------------------------------------------------------------- helpers

if [[ "$MODE" == generate ]]; then
  mkdir -p "$OUT"
else
  [[ -d "$OUT" ]] || die "certificates directory $OUT does not exist; generate it first: $PROG --out $OUT"
fi
OUT="$(cd "$OUT" && pwd)"
CA_DIR="$OUT/.ca"
CNF="$CA_DIR/openssl.cnf"
TMP="$(mktemp -d "$OUT/.tmp.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

say() { printf '  %-8s %s\n' "$1" "$2"; }

# Runs openssl quietly; on failure shows its output and aborts.
ossl() {
  local log="$TMP/openssl.log"
  if ! openssl "$@" >"$log" 2>&1; then
    echo "$PROG: openssl $1 failed:" >&2
    sed 's/^/    /' "$log" >&2
    exit 1
  fi
}

random_serial() { # positive 127-bit random serial as 0x-hex
  local hex
  hex="$(openssl rand -hex 16)"
  printf '0x%x%s' $((0x${hex:0:1} & 7)) "${hex:1}"
}

new_key() { # $1 = destination path (written atomically with mode 600)
  local tmpkey="$TMP/key.pem"
  (
    umask 077
    ossl genpkey -algorithm ed25519 -out "$tmpkey"
  )
  chmod 600 "$tmpkey"
  mv -f "$tmpkey" "$1"
}

install_cert() { # $1 = temp cert, $2 = destination
  chmod 644 "$1"
  mv -f "$1" "$2"
}

write_config() {
  mkdir -p "$CA_DIR/newcerts"
  chmod 700 "$CA_DIR"
  [[ -f "$CA_DIR/index.txt" ]] || : >"$CA_DIR/index.txt"
  [[ -f "$CA_DIR/index.txt.attr" ]] || echo "unique_subject = no" >"$CA_DIR/index.txt.attr"
  [[ -f "$CA_DIR/crlnumber" ]] || echo 1000 >"$CA_DIR/crlnumber"
  cat >"$CNF.tmp" <<EOF
# Written by scripts/generate-certs.sh; regenerated on every run.
[ ca ]
default_ca = CA_default

[ CA_default ]
dir              = $CA_DIR
database         = \$dir/index.txt
new_certs_dir    = \$dir/newcerts
crlnumber        = \$dir/crlnumber
certificate      = $OUT/ca.crt
private_key      = $OUT/ca.key
rand_serial      = yes
# Ed25519 signs without a separate digest.
default_md       = default
default_days     = 365
default_crl_days = 30
policy           = policy_cn
unique_subject   = no
copy_extensions  = none
crl_extensions   = crl_ext

[ policy_cn ]
commonName = supplied

[ req ]
distinguished_name = req_dn
prompt             = no

[ req_dn ]
CN = unused

[ v3_ca ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_node ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth, clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = \$ENV::CERT_SAN

[ v3_client ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF
  mv -f "$CNF.tmp" "$CNF"
}

# Placeholder so the config can always be parsed (only v3_node uses it).
export CERT_SAN="DNS:localhost"

# Issues $1.crt for CN $2 with extension section $3, reusing $1.key if $4 == keep.
issue_leaf() {
  local base="$1" cn="$2" ext="$3" keymode="$4"
  local key="$OUT/$base.key" crt="$OUT/$base.crt"
  if [[ "$keymode" == keep && -s "$key" ]]; then
    ossl pkey -in "$key" -noout
    say kept "$base.key"
  else
    new_key "$key"
    say created "$base.key"
  fi
  ossl req -new -config "$CNF" -key "$key" -subj "/CN=$cn" -out "$TMP/leaf.csr"
  ossl x509 -req -in "$TMP/leaf.csr" -CA "$OUT/ca.crt" -CAkey "$OUT/ca.key" \
    -set_serial "$(random_serial)" -days "$DAYS" \
    -extfile "$CNF" -extensions "$ext" -out "$TMP/leaf.crt"
  install_cert "$TMP/leaf.crt" "$crt"
}

# Decides what to do with leaf $1 (CN $2, extension $3) and does it.
ensure_leaf() {
  local base="$1" cn="$2" ext="$3" key="$OUT/$1.key" crt="$OUT/$1.crt"
  if [[ "$FORCE" == 1 || "$CA_CREATED" == 1 ]]; then
    issue_leaf "$base" "$cn" "$ext" new
    say created "$base.crt"
  elif [[ "$RENEW" == 1 ]]; then
    issue_leaf "$base" "$cn" "$ext" keep
    say renewed "$base.crt"
  elif [[ -s "$crt" && -s "$key" ]]; then
    if openssl verify -CAfile "$OUT/ca.crt" "$crt" >/dev/null 2>&1 &&
      [[ "$(openssl x509 -in "$crt" -noout -subject -nameopt RFC2253 2>/dev/null)" == "subject=CN=$cn" ]] &&
      [[ "$(openssl x509 -in "$crt" -noout -pubkey 2>/dev/null)" == "$(openssl pkey -in "$key" -pubout 2>/dev/null)" ]]; then
      say kept "$base.key"
      say kept "$base.crt"
    else
      echo "  note: $base.crt is expired, not issued by ca.crt, not for CN $cn or not matching $base.key; re-issuing" >&2
      issue_leaf "$base" "$cn" "$ext" keep
      say renewed "$base.crt"
    fi
  else
    # Certificate (or key) missing: a key without its certificate is reused.
    issue_leaf "$base" "$cn" "$ext" keep
    say created "$base.crt"
  fi
}

require_ca() {
  [[ -s "$OUT/ca.key" && -s "$OUT/ca.crt" ]] ||
    die "no CA in $OUT (ca.crt/ca.key missing); run $PROG${OUT:+ --out $OUT} first"
  write_config
}

serial_of() { openssl x509 -in "$1" -noout -serial | sed -e 's/^serial=//' -e 's/^0*//' | tr 'a-f' 'A-F'; }

gen_crl() {
  ossl ca -batch -config "$CNF" -gencrl -crldays "$CRL_DAYS" -out "$TMP/crl.pem"
  install_cert "$TMP/crl.pem" "$OUT/crl.pem"
  local n
  n="$(grep -c '^R' "$CA_DIR/index.txt" || true)"
  say written "crl.pem ($n revoked, valid $CRL_DAYS days)"
}

# ---------------------------------------------------------------- modes

exec 9>"$OUT/.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9 || die "cannot lock $OUT/.lock"
fi

echo "Certificates directory: $OUT"

case "$MODE" in
  revoke)
    [[ -f "$REVOKE_FILE" ]] || die "no such certificate file: $REVOKE_FILE"
    require_ca
    openssl x509 -in "$REVOKE_FILE" -noout >/dev/null 2>&1 || die "$REVOKE_FILE is not a PEM certificate"
    openssl verify -no_check_time -CAfile "$OUT/ca.crt" "$REVOKE_FILE" >/dev/null 2>&1 ||
      die "$REVOKE_FILE was not issued by the CA in $OUT"
    serial="$(serial_of "$REVOKE_FILE")"
    if awk -F'\t' -v s="$serial" '{ v = toupper($4); sub(/^0+/, "", v) } $1 == "R" && v == s { found = 1 } END { exit !found }' "$CA_DIR/index.txt"; then
      say kept "$(basename "$REVOKE_FILE") already revoked (serial $serial)"
    else
      ossl ca -batch -config "$CNF" -revoke "$REVOKE_FILE" -crl_reason "$REASON"
      say revoked "$(basename "$REVOKE_FILE") (serial $serial, reason $REASON)"
    fi
    gen_crl
    ;;
  gencrl)
    require_ca
    gen_crl
    ;;
  expired)
    require_ca
    base="$EXPIRED_NAME"
    if [[ -s "$OUT/$base.crt" && -s "$OUT/$base.key" && "$FORCE" == 0 && "$RENEW" == 0 ]]; then
      say kept "$base.key"
      say kept "$base.crt"
    else
      new_key "$OUT/$base.key"
      say created "$base.key"
      ossl req -new -config "$CNF" -key "$OUT/$base.key" -subj "/CN=node-$NODE_ID" -out "$TMP/leaf.csr"
      CERT_SAN="$(san_for_node "$NODE_ID")" ossl ca -batch -notext -config "$CNF" -in "$TMP/leaf.csr" \
        -extensions v3_node -startdate 20200101000000Z -enddate 20200102000000Z -out "$TMP/leaf.crt"
      install_cert "$TMP/leaf.crt" "$OUT/$base.crt"
      say created "$base.crt (EXPIRED test certificate for node-$NODE_ID)"
    fi
    ;;
  generate)
    CA_CREATED=0
    if [[ "$FORCE" == 0 && ! -s "$OUT/ca.key" && -s "$OUT/ca.crt" ]]; then
      die "$OUT/ca.crt exists but ca.key is missing; refusing to replace the CA (use --force to start over)"
    fi
    if [[ "$FORCE" == 1 || ! -s "$OUT/ca.key" ]]; then
      # New CA: the old database and CRL belong to the old CA.
      rm -rf "$CA_DIR"
      [[ -e "$OUT/crl.pem" ]] && rm -f "$OUT/crl.pem" && say removed "crl.pem (signed by the old CA)"
      write_config
      new_key "$OUT/ca.key"
      say created "ca.key"
      ossl req -new -x509 -config "$CNF" -key "$OUT/ca.key" -subj "/CN=$CA_CN" \
        -set_serial "$(random_serial)" -days "$CA_DAYS" -extensions v3_ca -out "$TMP/ca.crt"
      install_cert "$TMP/ca.crt" "$OUT/ca.crt"
      say created "ca.crt (CN $CA_CN, $CA_DAYS days)"
      CA_CREATED=1
    else
      write_config
      ossl pkey -in "$OUT/ca.key" -noout
      say kept "ca.key"
      [[ "$(openssl x509 -in "$OUT/ca.crt" -noout -pubkey 2>/dev/null)" == "$(openssl pkey -in "$OUT/ca.key" -pubout)" ]] ||
        die "$OUT/ca.crt does not match ca.key; use --force to start over"
      say kept "ca.crt"
    fi
    for ((i = 1; i <= NODES; i++)); do
      CERT_SAN="$(san_for_node "$i")" ensure_leaf "node$i" "node-$i" v3_node
    done
    ensure_leaf client "client-$CLIENT_NAME" v3_client
    if [[ "$CA_CREATED" == 1 ]]; then
      # Leftovers signed by a previous CA are useless: drop extra node files, warn about others.
      for f in "$OUT"/*.crt; do
        [[ -e "$f" ]] || continue
        b="$(basename "$f" .crt)"
        [[ "$b" == ca ]] && continue
        openssl verify -no_check_time -CAfile "$OUT/ca.crt" "$f" >/dev/null 2>&1 && continue
        if [[ "$b" =~ ^node([0-9]+)$ ]] && ((BASH_REMATCH[1] > NODES)); then
          rm -f "$f" "$OUT/$b.key"
          say removed "$b.crt, $b.key (signed by the old CA)"
        else
          echo "  note: $b.crt was signed by the old CA; delete or re-create it" >&2
        fi
      done
    fi
    echo "Done: CA + $NODES node certificates + client-$CLIENT_NAME in $OUT"
    ;;
esac
