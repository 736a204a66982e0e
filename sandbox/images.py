"""The image layers: base (python + git) → env (a venv with the task's dependencies) → session
(the pristine repository and the sandbox runtime). Each is cached under a tag that hashes what
defines it, so a second build is a lookup.
"""

from __future__ import annotations

import hashlib
import io
import os
import shlex
import subprocess
import tarfile
import time
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path

import docker
import docker.errors
from docker.types import Mount

from sandbox.config import SandboxConfig
from sandbox.container import SandboxError, labels_for, remove_container
from sandbox.faults import retrying_network
from sandbox.naming import namespace, repository

Log = Callable[[str], None]
SUITES = {"3.11": "bookworm", "3.9": "bullseye"}
"""Debian suites whose python3 is the given version (for the offline base)."""
SANDBOX_TOOLS = ("pytest", "pytest-cov")
"""What every env gets besides the task's own requirements."""
RUNTIME_FILES = ("driver.py", "workspace.py", "solver_runner.py", "solver_guard.py",
                 "solver_warm.py", "warm_client.py", "warm_cache.py")
CA_IN_CONTAINER = "/etc/solver-host-ca.pem"
TREE_MTIME = 315532800
"""1980-01-01, every file's time in a tree archive: fixed (images keyed by it depend on content
only), not earlier: ZIP has no earlier time and builds zip the tree (flit_core: LICENSE)."""
CA_VARS = ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")


def _quiet(_: str) -> None: ...


def image_exists(client: docker.DockerClient, tag: str) -> bool:
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def image_id(client: docker.DockerClient, tag: str) -> str:
    """The content id of an image (docker-py types it optional: an image always has one)."""
    found = client.images.get(tag).id
    if found is None:
        raise SandboxError(f"image {tag} has no id")
    return found


def ensure_base_image(client: docker.DockerClient, python: str = "3.11", log: Log = _quiet) -> str:
    """`python:X-slim`: already here, else pulled, else built offline from Debian packages.
    In an image namespace (sandbox.naming) it is always built offline: nothing is shared."""
    tag = f"{repository('python')}:{python}-slim"
    if image_exists(client, tag):
        return tag
    if not namespace():
        try:
            client.images.pull("python", tag=f"{python}-slim")
            log(f"pulled {tag}")
            return tag
        except docker.errors.APIError as exc:
            log(f"no registry answers ({str(exc).splitlines()[0][:120]}); building {tag} offline")
    suite = SUITES.get(python)
    if suite is None:
        raise SandboxError(f"no offline recipe for Python {python}; known: {', '.join(SUITES)}")
    script = resources.files("images") / "debootstrap-base.sh"
    start = time.monotonic()
    done = subprocess.run(["bash", str(script), suite, tag], capture_output=True, text=True)
    if done.returncode != 0:
        raise SandboxError(f"offline base build failed:\n{done.stderr[-3000:]}")
    log(f"built {tag} offline from Debian {suite} in {time.monotonic() - start:.0f}s")
    return tag


def host_ca_bundle() -> Path | None:
    """The CA bundle the host trusts (PyPI may be reached only through it)."""
    for var in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        value = os.environ.get(var)
        if value and Path(value).is_file():
            return Path(value)
    default = Path("/etc/ssl/certs/ca-certificates.crt")
    return default if default.is_file() else None


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def env_script(
    requirements: Iterable[str], install_cmd: str, tools: Iterable[str] = SANDBOX_TOOLS
) -> str:
    """The shell run once, as root with network, to build an env layer."""
    reqs = " ".join(f"'{r}'" for r in [*tools, *requirements])
    lines = [
        "set -eu",
        "python3 -m venv /opt/venv",
        f"/opt/venv/bin/pip install --no-cache-dir -q {reqs}",
    ]
    if install_cmd:
        lines += ["cd /opt/pristine 2>/dev/null || true", install_cmd]
    return "\n".join(lines)


PIP_ENV = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_RETRIES": "10", "PIP_TIMEOUT": "60"}
"""pip in build containers: ten retries with backoff ride out a minute or two without DNS."""


@retrying_network
def run_build_step(
    client: docker.DockerClient, image: str, script: str, tag: str, env_changes: list[str]
) -> None:
    """Run `script` in a container of `image` (root, network, host CA mounted), commit as tag."""
    ca = host_ca_bundle()
    # A Mount, not `volumes=`: docker-py also declares volumes in the config, which commit keeps.
    mounts = [Mount(CA_IN_CONTAINER, str(ca), type="bind", read_only=True)] if ca else []
    ca_env = {k: CA_IN_CONTAINER for k in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
    container = client.containers.run(
        image, ["sh", "-c", script], detach=True, user="0:0", mounts=mounts,
        environment={**(ca_env if ca else {}), **PIP_ENV},
        labels=labels_for(SandboxConfig()),
    )
    try:
        status = container.wait(timeout=1800)
        if status.get("StatusCode") != 0:
            log = container.logs(tail=60).decode(errors="replace")
            raise SandboxError(f"building {tag} failed (exit {status.get('StatusCode')}):\n{log}")
        repo, _, version = tag.rpartition(":")
        container.commit(repository=repo, tag=version, changes=env_changes)
    finally:
        remove_container(container)


def ensure_env_image(
    client: docker.DockerClient,
    base: str,
    requirements: Iterable[str] = (),
    install_cmd: str = "",
    log: Log = _quiet,
    tools: Iterable[str] = SANDBOX_TOOLS,
) -> str:
    """base + a venv at /opt/venv with `tools` (pytest) and the task's requirements, by hash."""
    script = env_script(requirements, install_cmd, tools)
    tag = f"{repository('solver-env')}:" + digest(image_id(client, base), script)[:20]
    if image_exists(client, tag):
        return tag
    start = time.monotonic()
    path = "/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    run_build_step(client, base, script, tag, [f"ENV PATH={path}", "ENV VIRTUAL_ENV=/opt/venv"])
    log(f"built {tag} in {time.monotonic() - start:.0f}s")
    return tag


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, TREE_MTIME
    tar.addfile(info, io.BytesIO(data))


def tree_tar(tree: Path, prefix: str) -> bytes:
    """The tree as a deterministic tar (sorted, root-owned, TREE_MTIME, no .git) in prefix/."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dir_info = tarfile.TarInfo(prefix)
        dir_info.type, dir_info.mode, dir_info.mtime = tarfile.DIRTYPE, 0o755, TREE_MTIME
        tar.addfile(dir_info)
        for path in sorted(tree.rglob("*")):
            rel = path.relative_to(tree)
            if ".git" in rel.parts or "__pycache__" in rel.parts:
                continue
            info = tar.gettarinfo(str(path), arcname=f"{prefix}/{rel.as_posix()}")
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = TREE_MTIME
            info.mode = (info.mode & 0o755) | (0o644 if info.isfile() else 0o755) & ~0o022
            if info.isfile():
                with path.open("rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    return buf.getvalue()


def runtime_tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in RUNTIME_FILES:
            data = (resources.files("sandbox") / "runtime" / name).read_bytes()
            _add_bytes(tar, f"solver/{name}", data)
    return buf.getvalue()


def ensure_session_image(client: docker.DockerClient, env_image: str, tree: Path) -> str:
    """env image + the pristine tree at /opt/pristine + the runtime at /opt/solver.

    Both are owned by root and read-only to the test user, so no candidate can alter them.
    """
    tree_bytes, runtime_bytes = tree_tar(tree, "pristine"), runtime_tar()
    key = digest(image_id(client, env_image), tree_bytes, runtime_bytes)
    tag = f"{repository('solver-session')}:{key[:20]}"
    if image_exists(client, tag):
        return tag
    container = client.containers.create(env_image, ["true"], labels=labels_for(SandboxConfig()))
    try:
        for data in (tree_bytes, runtime_bytes):
            if not container.put_archive("/opt", data):
                raise SandboxError(f"could not copy files into {env_image}")
        container.commit(repository=tag.rpartition(":")[0], tag=tag.rpartition(":")[2])
    finally:
        remove_container(container)
    return tag


def install_script(install_cmd: str, pre_install: Sequence[str], env: dict[str, str]) -> str:
    """Install the tree at /testbed, then freeze the result as the root-owned /opt/pristine."""
    exports = [f"export {k}={shlex.quote(v)}" for k, v in sorted(env.items())]
    ca = [f"export {k}={CA_IN_CONTAINER}" for k in CA_VARS]
    return "\n".join([
        "set -eu", *exports, f"[ ! -f {CA_IN_CONTAINER} ] || {{ {'; '.join(ca)}; }}",
        "cd /testbed", *pre_install, install_cmd, "cd /",
        "cp -a /testbed /opt/pristine",
        "find /opt/pristine -name __pycache__ -prune -exec rm -rf {} +",
        "chown -R 0:0 /opt/pristine /opt/solver",
        "chmod -R u+rwX,go+rX,go-w /opt/pristine /opt/solver",
        # The sandbox mounts a fresh workspace on /testbed: the image needs only the empty folder.
        "find /testbed -mindepth 1 -delete",
    ])


def installed_session_tag(
    client: docker.DockerClient, env_image: str, tree_key: str, script: str
) -> str:
    """The cache tag of an installed session image: env image, tree, runtime, install script."""
    key = digest(image_id(client, env_image), tree_key, runtime_tar(), script)
    return f"{repository('solver-session')}:{key[:20]}"


def ensure_installed_session_image(
    client: docker.DockerClient,
    env_image: str,
    tree: Path,
    install_cmd: str,
    pre_install: Sequence[str] = (),
    env: dict[str, str] | None = None,
    log: Log = _quiet,
    tree_key: str = "",
) -> str:
    """env image + the tree installed in place (`pip install -e .` at /testbed) + the runtime.

    The install runs as root with network (host CA mounted); what it leaves in the tree
    (egg-info, generated version files) becomes /opt/pristine, which the sandbox copies back to
    /testbed before every run, so editable installs pointing at /testbed keep working.
    Cached under a tag hashing the env image, the tree (or `tree_key`, a name that fixes its
    content, such as a commit sha), the runtime and the install script.
    """
    script = install_script(install_cmd, pre_install, env or {})
    tree_bytes = b"" if tree_key else tree_tar(tree, "testbed")
    tag = installed_session_tag(client, env_image, tree_key or digest(tree_bytes), script)
    if image_exists(client, tag):
        return tag
    start = time.monotonic()
    archives = (("/", tree_bytes or tree_tar(tree, "testbed")), ("/opt", runtime_tar()))
    run_install(client, env_image, script, archives, tag,
                ['CMD ["python3"]', "WORKDIR /testbed"])
    log(f"built {tag} (installed) in {time.monotonic() - start:.0f}s")
    return tag


def deps_script(install_cmd: str) -> str:
    """Install a copy of the checkout at /testbed, keep only what went into the venv."""
    ca = [f"export {k}={CA_IN_CONTAINER}" for k in CA_VARS]
    return "\n".join([
        "set -eu", f"[ ! -f {CA_IN_CONTAINER} ] || {{ {'; '.join(ca)}; }}",
        "cd /testbed", install_cmd, "cd /", "find /testbed -mindepth 1 -delete",
    ])


def ensure_deps_image(
    client: docker.DockerClient, env_image: str, tree: Path, install_cmd: str,
    files: Sequence[str], log: Log = _quiet,
) -> str:
    """env image + the project's dependencies, installed by `install_cmd` (as root, network,
    the venv first on PATH) in a copy of `tree`; cached by the command and the bytes of the
    dependency `files`, so a change to the code alone reuses it. The session layer
    (ensure_installed_session_image) runs the command again on the exact tree, which then
    only links the project itself."""
    script = deps_script(install_cmd)
    contents = [f"{name}\0".encode() + ((tree / name).read_bytes() if (tree / name).is_file()
                                         else b"") for name in sorted(files)]
    tag = f"{repository('solver-env')}:" + digest(
        image_id(client, env_image), script, *contents)[:20]
    if image_exists(client, tag):
        return tag
    start = time.monotonic()
    run_install(client, env_image, script, (("/", tree_tar(tree, "testbed")),), tag, [])
    log(f"built {tag} (dependencies) in {time.monotonic() - start:.0f}s")
    return tag


class InstallFailed(SandboxError):
    """The install command failed; the message ends with the last lines of its output."""


@retrying_network
def run_install(
    client: docker.DockerClient, image: str, script: str,
    archives: Iterable[tuple[str, bytes]], tag: str, changes: list[str],
) -> None:
    """`script` as root with network (host CA mounted) in a container of `image` holding
    `archives` (where, tar bytes); committed as `tag` when it succeeds."""
    ca = host_ca_bundle()
    mounts = [Mount(CA_IN_CONTAINER, str(ca), type="bind", read_only=True)] if ca else []
    container = client.containers.create(
        image, ["sh", "-c", script], user="0:0", mounts=mounts,
        environment={**PIP_ENV, "PIP_NO_CACHE_DIR": "1"},
        labels=labels_for(SandboxConfig()),
    )
    try:
        for where, data in archives:
            if not container.put_archive(where, data):
                raise SandboxError(f"could not copy files into {image}")
        container.start()
        status = container.wait(timeout=1800)
        if status.get("StatusCode") != 0:
            tail = container.logs(tail=20).decode(errors="replace").rstrip()
            raise InstallFailed(f"the install failed (exit {status.get('StatusCode')}); "
                                f"its last lines:\n{tail}")
        repo, _, version = tag.rpartition(":")
        container.commit(repository=repo, tag=version, changes=changes)
    finally:
        remove_container(container)


COVERAGE_TOOL_PINS = ("coverage>=6,<8", "pytest-cov>=2.12,<6")
"""pytest-cov 6 needs pluggy's new-style wrappers (pytest ≥ 7): older envs (pytest 5) load 5.x."""


def ensure_coverage_image(client: docker.DockerClient, image: str, log: Log = _quiet) -> str:
    """`image` + coverage.py and pytest-cov in /opt/solver-cov, apart from the task's env.

    For environments that pin their own packages (SWE-bench's): installed with --no-deps into a
    folder only the coverage run puts on PYTHONPATH, so the task's tests otherwise see exactly
    the env the harness specifies. Cached by the image's id."""
    tag = f"{repository('solver-cov')}:" + digest(
        image_id(client, image), *COVERAGE_TOOL_PINS)[:20]
    if image_exists(client, tag):
        return tag
    start = time.monotonic()
    pins = " ".join(shlex.quote(p) for p in COVERAGE_TOOL_PINS)
    script = (f"set -eu; python -m pip install --no-cache-dir -q --no-deps "
              f"--target /opt/solver-cov {pins}; chmod -R go+rX,go-w /opt/solver-cov")
    run_build_step(client, image, script, tag,
                   ['CMD ["python3"]', "WORKDIR /testbed"])
    log(f"built {tag} (coverage tools) in {time.monotonic() - start:.0f}s")
    return tag


def describe(client: docker.DockerClient, tag: str) -> dict[str, object]:
    image = client.images.get(tag)
    return {"tag": tag, "id": image.short_id, "size_mb": round(image.attrs["Size"] / 2**20, 1)}

