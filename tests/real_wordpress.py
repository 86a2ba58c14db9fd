"""WordPress itself for the tests: Debian's `wordpress` package on a MariaDB of
its own, served by `php -S` on 127.0.0.1.

The database server runs on a socket in a temporary directory; the site is a
tree of links to /usr/share/wordpress with a configuration of its own
(fixtures/wordpress-site/wp-config.php) in place of Debian's, and its content in
the same temporary directory. Test code changes the site with WordPress's own
functions (`WordPress.php`), and `WordPress.serving` puts it behind one of
the two kinds of web server (fixtures/wordpress-site/router.php).

Plain functions and classes, imported as `from real_wordpress import ...`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from helpers import FIXTURES, free_port, wait_for

WORDPRESS = Path("/usr/share/wordpress")
PHP_FILES = FIXTURES / "wordpress-site"

# Where the site's pages are: WordPress's permalink settings.
PRETTY = "/%year%/%monthnum%/%postname%/"
PLAIN = ""
# The web servers in front of it (router.php).
FRONT_CONTROLLER, STOCK = "front", "stock"


def missing() -> str | None:
    """Why WordPress cannot run here, or None if it can."""
    needed = {
        "wordpress": (WORDPRESS / "wp-settings.php").exists(),
        "twentytwentythree theme": (
            WORDPRESS / "wp-content/themes/twentytwentythree"
        ).exists(),
        "mariadb-server": bool(shutil.which("mariadbd")),
        "php-cli": bool(shutil.which("php")),
    }
    if needed["php-cli"]:
        modules = subprocess.run(["php", "-m"], capture_output=True, text=True)
        needed["php-mysql"] = "mysqli" in modules.stdout.split()
    absent = [name for name, present in needed.items() if not present]
    if not absent:
        return None
    return (
        f"needs Debian's {', '.join(absent)}: run `make test` as root on Debian, "
        "or `apt-get install wordpress wordpress-theme-twentytwentythree "
        "mariadb-server php-cli php-mysql`"
    )


class WordPress:
    """One WordPress site and its database, in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.root = directory / "site"
        self.content = directory / "content"
        self.socket = directory / "mariadb.sock"
        self._database: subprocess.Popen | None = None

    @property
    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "PSG_TEST_WP_ROOT": f"{self.root}/",
            "PSG_TEST_WP_CONTENT": str(self.content),
            "PSG_TEST_WP_SOCKET": str(self.socket),
        }

    # -- setting it up ------------------------------------------------------------

    def start(self) -> None:
        """Start its database, lay out the site and install WordPress."""
        self._start_database()
        self._lay_out()
        self.php(
            "wp_install('Peru Support Group', 'admin', 'admin@example.org', true,"
            " '', 'not-a-secret');"
            # The post every install begins with is not one of the group's.
            "wp_delete_post(1, true);"
            "update_option('timezone_string', 'Europe/London');"
            "echo json_encode(true);",
            installing=True,
        )

    def stop(self) -> None:
        if self._database is not None:
            self._database.terminate()
            self._database.wait(timeout=30)
            self._database = None

    def _start_database(self) -> None:
        data = self.directory / "mariadb"
        subprocess.run(
            ["mariadb-install-db", "--no-defaults", f"--datadir={data}",
             "--user=root", "--auth-root-authentication-method=normal",
             "--skip-test-db"],
            check=True, capture_output=True,
        )  # fmt: skip
        self._database = subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={data}",
             f"--socket={self.socket}", "--skip-networking", "--user=root",
             f"--pid-file={self.directory / 'mariadb.pid'}",
             f"--log-error={self.directory / 'mariadb.err'}",
             "--innodb-buffer-pool-size=32M"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            created = subprocess.run(
                ["mariadb", "--no-defaults", "-S", str(self.socket), "-u", "root",
                 "-e", "CREATE DATABASE IF NOT EXISTS wordpress"],
                capture_output=True,
            )  # fmt: skip
            if created.returncode == 0:
                return
            if time.monotonic() > deadline or self._database.poll() is not None:
                raise RuntimeError(f"MariaDB did not start: {created.stderr!r}")
            time.sleep(0.2)

    def _lay_out(self) -> None:
        """Debian's WordPress, linked, with this site's configuration and content."""
        self.root.mkdir()
        for entry in WORDPRESS.iterdir():
            if entry.name not in ("wp-config.php", "wp-content"):
                (self.root / entry.name).symlink_to(entry)
        (self.root / "wp-config.php").symlink_to(PHP_FILES / "wp-config.php")
        (self.content / "uploads").mkdir(parents=True)
        for shared in ("themes", "plugins"):
            (self.content / shared).symlink_to(WORDPRESS / "wp-content" / shared)
        # The content directory is also served, as WordPress's own wp-content.
        (self.root / "wp-content").symlink_to(self.content)

    # -- changing it -------------------------------------------------------------

    def php(self, code: str, value: object = None, *, installing: bool = False):
        """Run `code` inside the site (it sees `$input`, `value` as PHP reads
        JSON) and return the JSON it prints."""
        script = self.directory / "script.php"
        script.write_text(f"<?php\n{code}\n")
        environment = self.environment
        if installing:
            environment["PSG_TEST_WP_INSTALLING"] = "1"
        done = subprocess.run(
            ["php", str(PHP_FILES / "run.php"), str(script)],
            input=json.dumps(value), capture_output=True, text=True,
            env=environment, timeout=120,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"PHP failed: {done.stdout}\n{done.stderr}")
        return json.loads(done.stdout)

    def set_permalinks(self, structure: str) -> None:
        self.php(
            "update_option('permalink_structure', $input); flush_rewrite_rules(false);"
            "echo json_encode(get_option('permalink_structure'));",
            structure,
        )

    @contextmanager
    def serving(self, permalinks: str, server: str):
        """The site on a free loopback port with these permalinks, behind this
        web server; yields its URL (`http://127.0.0.1:PORT/`)."""
        self.set_permalinks(permalinks)
        port = free_port()
        process = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{port}", "-t", str(self.root),
             str(PHP_FILES / "router.php")],
            env={**self.environment, "PSG_TEST_WP_SERVER": server},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_for(f"{url}wp-login.php")
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
