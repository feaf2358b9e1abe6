"""Phase 7 never takes a running service away, and rollback brings it back.

Homebrew, launchctl and the switch are fake executables replaying recorded answers;
the checkpoint, the restore and the order of the commands are the real ones.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from nixmigrate.apply.executor import PhaseFailedError, apply_phase
from nixmigrate.apply.rollback import rollback
from nixmigrate.apply.services import hand_over_services
from nixmigrate.plan.model import PhasePlan, Plan
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.steps import Activate, BrewUninstall, LaunchdService
from nixmigrate.state.checkpoints import CommandKind
from nixmigrate.state.store import CheckpointStore
from nixmigrate.system.runner import SubprocessRunner
from tests.fakebrew import install_fake_tool, invocations, set_recording
from tests.fakeswitch import (
    StowedHome,
    apply_options,
    install_fake_brew,
    put_first_on_path,
    yes,
)
from tests.helpers import make_tree

NAME = "sketchybar"
LISTING = f"/opt/homebrew/Cellar/{NAME}/2.22.1/bin/{NAME}\n"
SWITCH = ("darwin-rebuild", "switch", "--flake", "/nix-config#mac")
SKETCHYBAR = LaunchdService("services.sketchybar", "org.nixos.sketchybar")


def _target() -> str:
    return f"gui/{os.getuid()}/org.nixos.sketchybar"


def _listing(status: str) -> str:
    row = {
        "name": NAME,
        "status": status,
        "user": "jane" if status == "started" else None,
        "file": f"/Users/jane/Library/LaunchAgents/homebrew.mxcl.{NAME}.plist",
        "exit_code": 0 if status == "started" else None,
    }
    return json.dumps([row], indent=2) + "\n"


def _answers(
    *, uninstall_exit: int = 0, loaded: bool = True, status: str = "started"
) -> dict[str, dict[str, object]]:
    return {
        "brew services list --json": {"stdout_text": _listing(status)},
        f"brew list --formula {NAME}": {"stdout_text": LISTING},
        f"brew services stop {NAME}": {"stdout_text": f"Stopping `{NAME}`...\n"},
        f"brew services start {NAME}": {
            "stdout_text": f"Successfully started `{NAME}`\n"
        },
        f"brew uninstall --formula {NAME}": {
            "stdout_text": "",
            "stderr": "Error: Refusing to uninstall\n",
            "exit": uninstall_exit,
        },
        f"brew install --formula {NAME}": {"stdout_text": f"Installing {NAME}\n"},
        " ".join(SWITCH): {"stdout_text": "activating\n"},
        f"launchctl print {_target()}": (
            {"stdout_text": f"{_target()} = {{\n\tstate = running\n}}\n"}
            if loaded
            else {"stderr": "Could not find service\n", "exit": 113}
        ),
        f"launchctl bootout {_target()}": {"stdout_text": ""},
    }


@pytest.fixture
def world(tmp_path: Path) -> StowedHome:
    world = StowedHome.under(tmp_path, tmp_path / "home")
    world.home.mkdir(exist_ok=True)
    world.store_dir.mkdir(parents=True)
    return world


def _fake_mac(
    world: StowedHome,
    monkeypatch: pytest.MonkeyPatch,
    *,
    uninstall_exit: int = 0,
    loaded: bool = True,
    status: str = "started",
) -> Path:
    """brew, launchctl and darwin-rebuild replaying; sketchybar comes from Nix."""
    log = install_fake_brew(
        world,
        monkeypatch,
        _answers(uninstall_exit=uninstall_exit, loaded=loaded, status=status),
    )
    recording = world.root / "brew-recording"
    set_recording(recording, " ".join(SWITCH), stdout_text="activating\n")
    for tool in ("launchctl", "darwin-rebuild"):
        install_fake_tool(world.bin_dir, tool, recording, monkeypatch)
    real = world.store_dir / f"abc-{NAME}/bin/{NAME}"
    make_tree(world.root, {str(real.relative_to(world.root)): "#!/bin/sh\n"})
    make_tree(world.root / "profile/bin", {NAME: real})
    real.chmod(0o755)
    put_first_on_path(world.root / "profile/bin", monkeypatch)
    return log


def _phase(*, services: tuple[LaunchdService, ...] = ()) -> PhasePlan:
    return PhasePlan(
        phase=Phase.CLEANUP,
        title="Clean up",
        steps=(
            BrewUninstall(NAME, stop_service=True),
            Activate(SWITCH, services=services),
        ),
    )


def _apply(world: StowedHome, store: CheckpointStore, pp: PhasePlan) -> None:
    apply_phase(
        pp,
        store=store,
        runner=SubprocessRunner(),
        confirm=yes,
        options=apply_options(world),
    )


def test_the_brew_service_stops_before_its_formula_goes_and_rollback_starts_it(
    world: StowedHome, store: CheckpointStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake_mac(world, monkeypatch)
    _apply(world, store, _phase(services=(SKETCHYBAR,)))

    ran = invocations(log)
    stop, uninstall = f"brew services stop {NAME}", f"brew uninstall --formula {NAME}"
    assert ran.index(stop) < ran.index(uninstall) < ran.index(" ".join(SWITCH))
    assert ran[-1] == f"launchctl print {_target()}"
    [cp] = store.restorable()
    recorded = {c.argv: c.inverse for c in cp.manifest.commands}
    assert recorded[("brew", "services", "stop", NAME)] == (
        "brew",
        "services",
        "start",
        NAME,
    )

    asked: list[str] = []

    def confirm(question: str) -> bool:
        asked.append(question)
        return True

    rollback(store, runner=SubprocessRunner(), confirm=confirm)

    assert f"$ brew services start {NAME}" in asked[0]
    assert "darwin-rebuild switch --rollback" in asked[0]
    undone = invocations(log)[len(ran) :]
    assert undone == [
        f"launchctl bootout {_target()}",
        f"brew install --formula {NAME}",
        f"brew services start {NAME}",
    ]


def test_a_formula_that_cannot_be_uninstalled_gets_its_service_back_at_once(
    world: StowedHome, store: CheckpointStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake_mac(world, monkeypatch, uninstall_exit=1)
    pp = PhasePlan(
        phase=Phase.CLEANUP,
        title="Clean up",
        steps=(BrewUninstall(NAME, stop_service=True),),
    )
    result = apply_phase(
        pp,
        store=store,
        runner=SubprocessRunner(),
        confirm=yes,
        options=apply_options(world),
    )

    [kept] = result.kept
    assert "Refusing" in kept.reason
    assert invocations(log)[-1] == f"brew services start {NAME}"
    rollback(store, runner=SubprocessRunner(), confirm=yes)
    assert invocations(log)[-3:] == [  # undone newest first: it ends started
        f"brew services stop {NAME}",
        f"brew install --formula {NAME}",
        f"brew services start {NAME}",
    ]


def test_a_nix_darwin_service_the_switch_did_not_load_undoes_the_phase(
    world: StowedHome, store: CheckpointStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake_mac(world, monkeypatch, loaded=False)

    with pytest.raises(PhaseFailedError, match=r"did not load services\.sketchybar"):
        _apply(world, store, _phase(services=(SKETCHYBAR,)))

    tail = invocations(log)[-3:]
    assert tail == [
        f"launchctl bootout {_target()}",
        f"brew install --formula {NAME}",
        f"brew services start {NAME}",
    ]
    [cp] = [store.load(i) for i in store.ids()]
    assert cp.manifest.status == "restored"
    kinds = [c.kind for c in cp.manifest.commands]
    assert CommandKind.LAUNCHD in kinds


def test_a_service_an_earlier_switch_already_handed_over_is_not_stopped_again(
    world: StowedHome, store: CheckpointStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake_mac(world, monkeypatch, status="none")
    _apply(world, store, _phase(services=(SKETCHYBAR,)))

    assert f"brew services stop {NAME}" not in invocations(log)
    assert f"brew uninstall --formula {NAME}" in invocations(log)
    [cp] = store.restorable()
    assert ("brew", "services", "stop", NAME) not in {
        c.argv for c in cp.manifest.commands
    }


def _switching(phase: Phase) -> PhasePlan:
    argv = ("darwin-rebuild", "switch", "--flake", f"/c#{int(phase)}")
    return PhasePlan(phase=phase, title="", steps=(Activate(argv),))


def test_the_first_switch_of_a_phase_7_configuration_stops_the_brew_services() -> None:
    cleanup = PhasePlan(
        phase=Phase.CLEANUP,
        title="Clean up",
        steps=(
            BrewUninstall(NAME, stop_service=True),
            BrewUninstall("ripgrep"),
            Activate(SWITCH, services=(SKETCHYBAR,)),
        ),
    )
    phases = (
        PhasePlan(phase=Phase.FOUNDATION, title=""),
        _switching(Phase.CONFIGS),
        _switching(Phase.DECLARATIVE),
        cleanup,
    )
    plan = Plan(
        config_dir="/c",
        hostname="mac",
        user="jane",
        system="aarch64-darwin",
        home="/Users/jane",
        through=Phase.CLEANUP,
        files=(),
        phases=phases,
    )

    handed = hand_over_services(plan, phases)

    first = next(s for s in handed[1].steps if isinstance(s, Activate))
    assert first.stops == (NAME,)
    assert first.services == (SKETCHYBAR,)
    assert first.describe().startswith(f"brew services stop {NAME}, activate:")
    later = next(s for s in handed[2].steps if isinstance(s, Activate))
    assert later.stops == ()
    assert hand_over_services(plan, phases[3:]) == [cleanup]
