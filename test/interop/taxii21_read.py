#!/usr/bin/env python3
# A TAXII 2.1 reader written from the OASIS spec with the standard library only (taxii2-client is
# not packaged by Debian): discovery -> API root -> collections -> objects paged with limit/next,
# then added_after from X-TAXII-Date-Added-Last. Prints one JSON summary on stdout.
import base64, json, sys, urllib.request

MEDIA = "application/taxii+json;version=2.1"
url, user, password, page = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

def get(u):
    req = urllib.request.Request(u, headers={"Accept": MEDIA, "Authorization": auth})
    with urllib.request.urlopen(req, timeout=10) as r:
        ctype = r.headers.get("Content-Type", "")
        assert ctype.replace(" ", "").startswith("application/taxii+json"), ctype
        return json.load(r), r.headers

disc, _ = get(url)
root_url = disc["default"]
root, _ = get(root_url)
assert MEDIA in root["versions"], root
cols, _ = get(root_url + "collections/")
col = next(c for c in cols["collections"] if c["can_read"])
ids, pages, nxt, last = [], 0, None, None
while True:
    q = f"?limit={page}" + (f"&next={nxt}" if nxt else "")
    env, headers = get(root_url + "collections/" + col["id"] + "/objects/" + q)
    pages += 1
    ids += [o["id"] for o in env.get("objects", [])]
    last = headers.get("X-TAXII-Date-Added-Last") or last
    if not env.get("more"):
        break
    nxt = env["next"]
after, _ = get(root_url + "collections/" + col["id"] + "/objects/?added_after=" + last)
print(json.dumps({"title": disc["title"], "collection": col["id"], "ids": ids, "pages": pages, "after_last": len(after.get("objects", []))}))
