"""Storage: base64 upload, get, list, head, patch, delete (clickhelp.md §3.4)."""

from __future__ import annotations

import base64

from .conftest import PROJECT, T0_TEXT, Api, assert_error

PNG = b"\x89PNG\r\n\x1a\nfake"
B64 = base64.b64encode(PNG).decode()
URL = f"storage/{PROJECT}/images/cli.png"


def upload(api: Api, path: str = URL, **params: str) -> dict[str, object]:
    r = api.post(path, params={"format": "base64", **params}, json={"content": B64})
    assert r.status_code in (200, 201), r.text
    data: dict[str, object] = r.json()
    return data


def test_upload_returns_201_location_and_the_file_without_content(api: Api) -> None:
    r = api.post(URL, params={"format": "base64"}, json={"content": B64})
    assert r.status_code == 201
    assert r.headers["location"] == f"http://testserver/api/v1/{URL}"
    assert r.json() == {
        "fileName": "cli.png",
        "fileFullName": f"Storage\\{PROJECT}\\images\\cli.png",
        "content": None,
        "modifiedBy": "kim",
        "modifiedOn": T0_TEXT,
        "size": len(PNG),
        "isFolder": False,
    }


def test_get_with_and_without_content(api: Api) -> None:
    upload(api)
    assert api.get(URL, params={"format": "base64"}).json()["content"] == B64
    assert api.get(URL).json()["content"] is None
    assert_error(
        api.get(URL, params={"format": "raw"}),
        400,
        "Format 'raw' is not supported: use format=base64.",
    )
    assert_error(
        api.get(f"storage/{PROJECT}/nope.png"),
        404,
        f"File or folder '{PROJECT}/nope.png' was not found in Storage.",
    )


def test_head_says_whether_it_exists(api: Api) -> None:
    upload(api)
    r = api.client.head(f"/api/v1/{URL}")
    assert (r.status_code, r.content) == (200, b"")
    assert api.client.head(f"/api/v1/storage/{PROJECT}/nope.png").status_code == 404


def test_existing_file_is_409_unless_overwrite(api: Api) -> None:
    upload(api)
    r = api.post(URL, params={"format": "base64"}, json={"content": B64})
    assert_error(
        r,
        409,
        f"File '{PROJECT}/images/cli.png' already exists; pass isOverwrite=true to replace it.",
    )
    r = api.post(URL, params={"format": "base64", "isOverwrite": "true"}, json={"content": "AA=="})
    assert (r.status_code, r.json()["size"]) == (200, 1)


def test_bad_uploads(api: Api) -> None:
    assert_error(
        api.post(URL, json={"content": B64}),
        400,
        "Query parameter 'format' is required: use format=base64.",
    )
    assert_error(
        api.post(URL, params={"format": "resumable"}),
        501,
        "The emulator does not support resumable uploads; use format=base64.",
    )
    assert_error(
        api.post(URL, params={"format": "base64"}, json={"content": "not base64!"}),
        400,
        "content is not valid base64.",
    )
    big = base64.b64encode(b"x" * (10 * 1024 * 1024 + 1)).decode()
    assert_error(
        api.post(URL, params={"format": "base64"}, json={"content": big}),
        400,
        "The file is larger than 10 MB.",
    )
    assert_error(api.post("storage/a/%2E%2E/b.png", params={"format": "base64"}, json={}), 400)
    assert_error(api.get(URL), 404)


def test_folder_listing(api: Api) -> None:
    upload(api)
    upload(api, f"storage/{PROJECT}/images/deep/x.svg")
    upload(api, f"storage/{PROJECT}/readme.txt")
    r = api.post(f"storage/{PROJECT}/empty", params={"format": "base64"}, json={"isFolder": True})
    assert (r.status_code, r.json()["isFolder"]) == (201, True)
    names = [f["fileName"] for f in api.get(f"storage/{PROJECT}").json()]
    assert names == ["empty", "images", "readme.txt"]
    got = api.get(
        f"storage/{PROJECT}/images", params={"isRecursive": "true", "filter": "*.svg"}
    ).json()
    assert [(f["fileFullName"], f["content"]) for f in got] == [
        (f"Storage\\{PROJECT}\\images\\deep\\x.svg", None)
    ]


def test_patch_replaces_content(api: Api) -> None:
    upload(api)
    r = api.patch(URL, json={"updatedFields": "content", "content": "AAE="})
    assert (r.status_code, r.json()["size"]) == (200, 2)
    assert_error(api.patch(URL, json={"content": "AAE="}), 400)


def test_delete_one_and_several(api: Api) -> None:
    upload(api)
    upload(api, f"storage/{PROJECT}/a.png")
    upload(api, f"storage/{PROJECT}/b.png")
    assert api.delete(URL).status_code == 204
    assert_error(api.delete(URL), 404)
    r = api.delete("storage", json={"fileFullNames": [f"Storage\\{PROJECT}\\a.png", "nope.png"]})
    assert_error(r, 404, "File or folder 'nope.png' was not found in Storage.")
    r = api.delete(
        "storage", json={"fileFullNames": [f"Storage\\{PROJECT}\\a.png", f"{PROJECT}/b.png"]}
    )
    assert r.status_code == 204
    assert_error(api.get(f"storage/{PROJECT}"), 404)  # a folder exists while files are in it
    assert_error(
        api.delete("storage", json={"fileFullNames": ["Storage"]}),
        400,
        "Cannot delete the Storage root.",
    )
