# Tollgate's Hugging Face fetch: downloads a model repository at a pinned commit and verifies every file
# before the engine starts. Run by the fetch-and-verify-model init container as `python3 -c <this file>`
# (Python 3.8+, standard library only: no huggingface_hub needed in the image). Environment:
#   HF_REPO, HF_REVISION   repository and 40-hex commit (from the LLMModel spec)
#   HF_FILES               JSON list of {"path", "sha256"} from spec.model.huggingface.files ([] = whole repo)
#   MODEL_DEST             directory to fill
#   HF_ENDPOINT            hub base URL (default https://huggingface.co)
#   HF_TOKEN               optional, from a Secret (spec.model.huggingface.tokenSecret), for gated repos
# Verification, per file: the sha256 listed in the spec; else the sha256 the hub lists for the file at the
# pinned revision (LFS files: the weights); else only the git blob id (SHA-1) the hub lists -- that file is
# "pinned, not verified", and the summary says so. Any mismatch, or a revision the hub does not confirm,
# fails the container (the engine never starts). The token is sent only to the hub's own host.
import hashlib
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

ENDPOINT = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
REPO = os.environ["HF_REPO"]
REVISION = os.environ["HF_REVISION"]
DEST = os.environ["MODEL_DEST"]
SPEC_FILES = {f["path"]: f["sha256"] for f in json.loads(os.environ.get("HF_FILES") or "[]")}
TOKEN = os.environ.get("HF_TOKEN") or None
HUB_HOST = urllib.parse.urlsplit(ENDPOINT).netloc


def fail(msg):
    sys.stderr.write("fetch: " + msg + "\n")
    sys.exit(1)


class KeepTokenOnHub(urllib.request.HTTPRedirectHandler):
    # LFS downloads redirect to a CDN: the bearer token must not follow them there.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urllib.parse.urlsplit(newurl).netloc != HUB_HOST:
            new.remove_header("Authorization")
        return new


OPENER = urllib.request.build_opener(KeepTokenOnHub)


def get(url):
    req = urllib.request.Request(url, headers={"User-Agent": "tollgate-fetch/1"})
    if TOKEN:
        req.add_header("Authorization", "Bearer " + TOKEN)
    try:
        return OPENER.open(req, timeout=120)
    except urllib.error.HTTPError as e:
        hint = " (gated or private: set spec.model.huggingface.tokenSecret)" if e.code in (401, 403) and not TOKEN else ""
        fail("GET %s: HTTP %d%s" % (url.split("?")[0], e.code, hint))
    except urllib.error.URLError as e:
        fail("GET %s: %s" % (url.split("?")[0], e.reason))


def safe_path(p):
    parts = p.split("/")
    if not p or p.startswith("/") or any(x in ("", ".", "..") for x in parts) or "\0" in p:
        fail("refusing file path %r from the hub" % p)
    return p


def main():
    quoted_repo = "/".join(urllib.parse.quote(x, safe="") for x in REPO.split("/"))
    meta = json.load(get("%s/api/models/%s/revision/%s?blobs=true" % (ENDPOINT, quoted_repo, REVISION)))
    if meta.get("sha") != REVISION:
        fail("the hub answered revision %r for %s, not the pinned %s" % (meta.get("sha"), REPO, REVISION))
    hub = {s["rfilename"]: s for s in meta.get("siblings", []) if isinstance(s, dict) and "rfilename" in s}
    wanted = sorted(SPEC_FILES) if SPEC_FILES else sorted(hub)
    if not wanted:
        fail("%s@%s lists no files" % (REPO, REVISION))
    verified, pinned_only = [], []
    for path in wanted:
        safe_path(path)
        info = hub.get(path)
        if info is None:
            fail("%s is not in %s@%s" % (path, REPO, REVISION))
        hub_sha256 = (info.get("lfs") or {}).get("sha256")
        want = SPEC_FILES.get(path) or hub_sha256
        if SPEC_FILES.get(path) and hub_sha256 and hub_sha256 != SPEC_FILES[path]:
            fail("%s: the spec pins sha256 %s, the hub lists %s at %s" % (path, SPEC_FILES[path], hub_sha256, REVISION))
        target = os.path.join(DEST, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        sha256, size = hashlib.sha256(), 0
        # git blob id = sha1("blob <size>\0" + content), with the size the hub lists (checked below)
        blob = hashlib.sha1(b"blob %d\0" % int(info.get("size") or 0))
        with get("%s/%s/resolve/%s/%s" % (ENDPOINT, quoted_repo, REVISION, urllib.parse.quote(path))) as r, open(target + ".part", "wb") as out:
            while True:
                chunk = r.read(1 << 20)
                if not chunk:
                    break
                sha256.update(chunk)
                blob.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if want is not None:
            if sha256.hexdigest() != want:
                fail("%s: sha256 %s, expected %s" % (path, sha256.hexdigest(), want))
            verified.append(path)
        else:
            if size != int(info.get("size") or -1) or blob.hexdigest() != info.get("blobId"):
                fail("%s: git blob id %s (%d bytes), the hub lists %s at %s" % (path, blob.hexdigest(), size, info.get("blobId"), REVISION))
            pinned_only.append(path)
        os.replace(target + ".part", target)
        print("%s %s" % ("sha256-ok " if want is not None else "pinned-only", path), flush=True)
    src = "the spec" if SPEC_FILES else "the hub's metadata at the pinned revision"
    if pinned_only:
        summary = "pinned, not verified: %s@%s: %d file(s) verified by sha256 from %s; %d without a sha256 (git blob id only): %s" % (
            REPO, REVISION, len(verified), src, len(pinned_only), ", ".join(pinned_only[:10]))
    else:
        summary = "verified: %s@%s: %d file(s), sha256 from %s" % (REPO, REVISION, len(verified), src)
    print(summary, flush=True)
    try:
        with open("/dev/termination-log", "w") as t:
            t.write(json.dumps({"verified": len(verified), "pinnedOnly": len(pinned_only), "revision": REVISION})[:4000])
    except OSError:
        pass


main()
