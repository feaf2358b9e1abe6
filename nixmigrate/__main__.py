from __future__ import annotations

from nixmigrate.cli import main

if __name__ == "__main__":
    main()
