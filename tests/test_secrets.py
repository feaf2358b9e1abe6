from __future__ import annotations

import json

import pytest

from nixmigrate.plan.secrets import (
    SecretFinding,
    git_config_secret_reason,
    mask_secret,
    mask_url_passwords,
    scan_file_for_secrets,
    scan_package_for_secrets,
)

# built at run time so no token-shaped literal sits in the repository
GITHUB_TOKEN = "ghp_" + "Zq7T" * 9
AWS_KEY_ID = "AKIA" + "QX7M2" * 3 + "Z"
SSH_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)


@pytest.mark.parametrize(
    "path",
    [
        ".ssh/id_ed25519",
        ".ssh/id_rsa",
        ".ssh/id_work",
        "keys/id_ecdsa_sk",
        ".config/certs/client.pem",
        ".config/vpn/office.key",
        ".netrc",
        ".config/gh/hosts.yml",
        ".aws/credentials",
        ".git-credentials",
        ".gnupg/private-keys-v1.d/3F2A9C.key",
        ".gnupg/secring.gpg",
    ],
)
def test_files_that_are_secrets_by_their_path(path: str) -> None:
    findings = scan_file_for_secrets(path, b"anything")

    assert len(findings) == 1
    assert findings[0].path == path
    assert findings[0].reason


@pytest.mark.parametrize(
    "path",
    [".ssh/id_ed25519.pub", ".ssh/config", ".ssh/known_hosts", ".aws/config"],
)
def test_public_keys_and_plain_configs_are_not_secrets(path: str) -> None:
    assert scan_file_for_secrets(path, b"Host *\n  AddKeysToAgent yes\n") == ()


@pytest.mark.parametrize(
    ("path", "content", "reason"),
    [
        (
            ".npmrc",
            "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnop\n",
            ".npmrc holds an npm registry auth token",
        ),
        (
            ".pypirc",
            "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5v\n",
            ".pypirc holds a package index password",
        ),
        (
            ".docker/config.json",
            json.dumps({"auths": {"https://index.docker.io/v1/": {"auth": "YWRh"}}}),
            ".docker/config.json holds registry credentials (auths)",
        ),
    ],
)
def test_files_that_hold_credentials_by_their_content(
    path: str, content: str, reason: str
) -> None:
    assert scan_file_for_secrets(path, content.encode()) == (
        SecretFinding(path, reason),
    )


@pytest.mark.parametrize(
    ("path", "content"),
    [
        (".npmrc", "registry=https://registry.npmjs.org/\nsave-exact=true\n"),
        (".pypirc", "[distutils]\nindex-servers =\n    pypi\n"),
        (
            ".docker/config.json",
            json.dumps({"auths": {"ghcr.io": {}}, "credsStore": "osxkeychain"}),
        ),
    ],
)
def test_the_same_files_without_credentials_are_fine(path: str, content: str) -> None:
    assert scan_file_for_secrets(path, content.encode()) == ()


def test_a_token_in_a_shell_file_is_found_with_its_line_and_masked() -> None:
    zshenv = f"export EDITOR=nvim\nexport GITHUB_TOKEN={GITHUB_TOKEN}\n".encode()

    findings = scan_file_for_secrets(".zshenv", zshenv)

    assert findings == (
        SecretFinding(".zshenv", "a GitHub access token", "line 2", "ghp_****"),
    )
    assert GITHUB_TOKEN not in repr(findings)


def test_aws_keys_and_private_keys_inside_ordinary_files_are_found() -> None:
    files = {
        "scripts/deploy.sh": f"aws configure set aws_access_key_id {AWS_KEY_ID}\n",
        "notes/key.txt": SSH_KEY,
    }

    findings = scan_package_for_secrets({k: v.encode() for k, v in files.items()})

    assert [(f.path, f.reason, f.location) for f in findings] == [
        ("notes/key.txt", "a private key block", "line 1"),
        ("scripts/deploy.sh", "an AWS access key id", "line 1"),
    ]
    assert AWS_KEY_ID not in repr(findings)


@pytest.mark.parametrize(
    "line",
    [
        "password = correct-horse-battery",
        'api_key: "k3y-4bcdef-123456"',
        "SMTP_PASSWORD='hunter2hunter2'",
        "token: 0123456789abcdef",
    ],
)
def test_literal_passwords_and_tokens_are_found(line: str) -> None:
    findings = scan_file_for_secrets(".config/app/config", f"{line}\n".encode())

    assert [f.reason for f in findings] == ["a password or token written in plain text"]
    assert findings[0].preview.endswith("= ****")
    secret_part = line.split("=" if "=" in line else ":", 1)[1].strip(" '\"")
    assert secret_part not in repr(findings)


@pytest.mark.parametrize(
    "line",
    [
        "password = $MAIL_PASSWORD",
        "passwordeval = pass show mail/fastmail",
        "token: ${{ secrets.GITHUB_TOKEN }}",
        "password_command = op read op://private/mail/password",
        "local token = os.getenv('GITHUB_TOKEN')",
        "password = ",
        "token_file = ~/.config/app/token",
        "author: Ada Lovelace",
    ],
)
def test_references_to_secrets_are_not_secrets(line: str) -> None:
    assert scan_file_for_secrets(".config/app/config", f"{line}\n".encode()) == ()


def test_binary_files_are_judged_by_path_only() -> None:
    blob = b"\x00\x01" + GITHUB_TOKEN.encode()

    assert scan_file_for_secrets(".local/share/app/cache.bin", blob) == ()


def test_a_clean_package_has_no_findings() -> None:
    files = {
        ".config/nvim/init.lua": b"vim.o.number = true\n",
        ".zshrc": b"alias ll='eza -l'\nexport PATH=$HOME/bin:$PATH\n",
    }

    assert scan_package_for_secrets(files) == ()


@pytest.mark.parametrize(
    ("value", "masked"),
    [(GITHUB_TOKEN, "ghp_****"), (AWS_KEY_ID, "AKIA****"), ("hunter2", "****")],
)
def test_masking_shows_at_most_a_well_known_prefix(value: str, masked: str) -> None:
    assert mask_secret(value) == masked


def test_url_passwords_are_masked_but_the_rest_of_the_url_kept() -> None:
    text = "https://ada:s3cret@git.example.org/x and ssh://git@host/y"

    assert mask_url_passwords(text) == (
        "https://ada:****@git.example.org/x and ssh://git@host/y"
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("user.signingkey", "ABCDEF0123456789"),
        ("github.token", "anything"),
        ("hub.oauthtoken", "anything"),
        ("sendemail.smtppass", "anything"),
        ("credential.https://example.org.password", "anything"),
        ("http.extraheader", "Authorization: Basic YWRhOnNlY3JldA=="),
        ("http.https://gitlab.example.org/.extraheader", "PRIVATE-TOKEN: abcdef"),
        ("remote.origin.url", "https://ada:s3cret@example.org/repo.git"),
        ("alias.api", f"!curl -H 'Authorization: token {GITHUB_TOKEN}'"),
    ],
)
def test_git_keys_that_hold_secrets(key: str, value: str) -> None:
    assert git_config_secret_reason(key, value) is not None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("credential.helper", "osxkeychain"),
        ("credential.https://github.com.username", "ada"),
        ("user.email", "ada@example.org"),
        ("http.extraheader", "X-Trace: on"),
        ("remote.origin.url", "ssh://git@github.com/ada/dotfiles.git"),
        ("gpg.format", "ssh"),
    ],
)
def test_git_keys_that_do_not(key: str, value: str) -> None:
    assert git_config_secret_reason(key, value) is None
