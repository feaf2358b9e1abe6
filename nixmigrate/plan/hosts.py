"""The machines of the flake: their outputs, inputs and host modules.

macOS: nix-darwin with home-manager as a nix-darwin module. Linux: standalone
home-manager (`homeConfigurations."<user>"`), or NixOS with home-manager as a NixOS
module for a second machine (a Raspberry Pi through raspberry-pi-nix, or any NixOS).
"""

from __future__ import annotations

from typing import Final

from nixmigrate.plan.config import (
    DarwinHost,
    FlakeInput,
    FlakeOutput,
    HomeHost,
    NixosHost,
    ServiceEnable,
)
from nixmigrate.plan.options import PlanOptions, SecondHost
from nixmigrate.plan.phases import Phase

RASPBERRY_PI_5_BOARD: Final = "bcm2712"
_HM_DARWIN: Final = "inputs.home-manager.darwinModules.home-manager"
_HM_NIXOS: Final = "inputs.home-manager.nixosModules.home-manager"
_NIX_HOMEBREW: Final = "inputs.nix-homebrew.darwinModules.nix-homebrew"
_RPI_MODULES: Final = (
    "inputs.raspberry-pi-nix.nixosModules.raspberry-pi",
    "inputs.raspberry-pi-nix.nixosModules.sd-image",
)
_SOPS: Final = {
    "darwin": "inputs.sops-nix.darwinModules.sops",
    "nixos": "inputs.sops-nix.nixosModules.sops",
    "home": "inputs.sops-nix.homeManagerModules.sops",
}
_HOME_FROM_HOST: Final = ("../../home/common.nix",)


def second_host(options: PlanOptions, through: Phase) -> SecondHost | None:
    return options.second_host if through >= Phase.SECOND_MACHINE else None


def flake_inputs(options: PlanOptions, through: Phase) -> tuple[FlakeInput, ...]:
    other = second_host(options, through)
    inputs = [
        FlakeInput("nixpkgs", "github:NixOS/nixpkgs/nixpkgs-unstable", False),
        FlakeInput("home-manager", "github:nix-community/home-manager"),
    ]
    if options.is_darwin:
        inputs.append(FlakeInput("nix-darwin", "github:nix-darwin/nix-darwin/master"))
        # nix-homebrew has no nixpkgs input to follow
        inputs.append(
            FlakeInput("nix-homebrew", "github:zhaofengli/nix-homebrew", False)
        )
    if other is not None and other.kind == "raspberry-pi":
        inputs.append(
            FlakeInput("raspberry-pi-nix", "github:nix-community/raspberry-pi-nix")
        )
    if options.sops:
        inputs.append(FlakeInput("sops-nix", "github:Mic92/sops-nix"))
    return (inputs[0], *sorted(inputs[1:], key=lambda i: i.name))


def home_key(user: str, host: str | None = None) -> str:
    return f"{user}@{host}" if host else user


def primary_output(options: PlanOptions, *, unfree: bool) -> FlakeOutput:
    host_dir = f"hosts/{options.hostname}"
    sops = options.sops
    if options.is_darwin:
        modules = (_HM_DARWIN, _NIX_HOMEBREW, *((_SOPS["darwin"],) if sops else ()))
        return FlakeOutput(
            "darwin", options.hostname, options.system, host_dir, modules
        )
    modules = (_SOPS["home"],) if sops else ()
    return FlakeOutput(
        "home", home_key(options.user), options.system, host_dir, modules, unfree
    )


def second_output(
    options: PlanOptions, host: SecondHost, *, unfree: bool
) -> FlakeOutput:
    host_dir = f"hosts/{host.name}"
    if host.kind == "standalone":
        modules = (_SOPS["home"],) if options.sops else ()
        key = home_key(second_user(options, host), host.name)
        return FlakeOutput("home", key, host.system, host_dir, modules, unfree)
    rpi = _RPI_MODULES if host.kind == "raspberry-pi" else ()
    sops = (_SOPS["nixos"],) if options.sops else ()
    modules = (_HM_NIXOS, *rpi, *sops)
    return FlakeOutput("nixos", host.name, host.system, host_dir, modules)


def second_user(options: PlanOptions, host: SecondHost) -> str:
    return host.user or options.user


def linux_home(user: str) -> str:
    return "/root" if user == "root" else f"/home/{user}"


def darwin_host(
    options: PlanOptions,
    *,
    through: Phase,
    homebrew: bool,
    unfree: bool,
    services: tuple[ServiceEnable, ...] = (),
) -> DarwinHost:
    macos = through >= Phase.MACOS
    return DarwinHost(
        relpath=f"hosts/{options.hostname}/default.nix",
        system=options.system,
        user=options.user,
        home=options.home,
        home_imports=(*_HOME_FROM_HOST, "../../home/darwin.nix"),
        imports=("./homebrew.nix",) if homebrew else (),
        unfree=unfree,
        nix_enable=not options.determinate_nix,
        touch_id=macos and options.touch_id,
        defaults=dict(options.declarative.macos_defaults) if macos else {},
        sops=options.sops,
        services=services if through >= Phase.CLEANUP else (),
    )


def linux_home_host(options: PlanOptions) -> HomeHost:
    return HomeHost(
        relpath=f"hosts/{options.hostname}/default.nix",
        user=options.user,
        home=options.home,
        imports=(*_HOME_FROM_HOST, "../../home/linux.nix"),
    )


def second_host_module(
    options: PlanOptions, host: SecondHost, *, unfree: bool
) -> NixosHost | HomeHost:
    user = second_user(options, host)
    relpath = f"hosts/{host.name}/default.nix"
    home_imports = (*_HOME_FROM_HOST, "../../home/linux.nix")
    if host.kind == "standalone":
        return HomeHost(relpath, user, linux_home(user), home_imports)
    pi = host.kind == "raspberry-pi"
    return NixosHost(
        relpath=relpath,
        hostname=host.name,
        system=host.system,
        user=user,
        home=linux_home(user),
        home_imports=home_imports,
        imports=() if pi else ("./hardware-configuration.nix",),
        raspberry_pi_board=RASPBERRY_PI_5_BOARD if pi else None,
        systemd_boot=not pi,
        unfree=unfree,
        sops=options.sops,
    )
