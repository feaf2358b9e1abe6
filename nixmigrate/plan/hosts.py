"""The machines of the flake: their outputs, inputs and host modules.

macOS: nix-darwin with home-manager as a nix-darwin module. Linux: standalone
home-manager (`homeConfigurations."<user>"`), or NixOS with home-manager as a NixOS
module for a second machine (a Raspberry Pi through nvmd/nixos-raspberrypi, or any NixOS).

nixos-raspberrypi is used as its README documents it: its `lib.nixosSystem` (which wants
the flake itself in `specialArgs`), the board's `nixosModules.raspberry-pi-<model>.base`,
its `sd-image` module (what its `installerImages` are built with) and its binary cache
in the flake's `nixConfig`. It keeps its own nixpkgs, the one its cache was built for.
"""

from __future__ import annotations

from typing import Final

from nixmigrate.plan.config import (
    BinaryCache,
    DarwinHost,
    FlakeInput,
    FlakeOutput,
    HomeHost,
    NixosHost,
    ServiceEnable,
)
from nixmigrate.plan.options import PlanOptions, SecondHost
from nixmigrate.plan.phases import Phase

RASPBERRY_PI_FLAKE: Final = "github:nvmd/nixos-raspberrypi/main"
RASPBERRY_PI_CACHE: Final = BinaryCache(
    "https://nixos-raspberrypi.cachix.org",
    "nixos-raspberrypi.cachix.org-1:4iMO9LXa8BqhU+Rpg6LQKiGa2lsNh/j2oiYLNOQ5sPI=",
)
_RPI: Final = "inputs.nixos-raspberrypi"
_HM_DARWIN: Final = "inputs.home-manager.darwinModules.home-manager"
_HM_NIXOS: Final = "inputs.home-manager.nixosModules.home-manager"
_NIX_HOMEBREW: Final = "inputs.nix-homebrew.darwinModules.nix-homebrew"
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
    if is_raspberry_pi(other):
        # its own nixpkgs: the one the binary cache holds the vendor kernel for
        inputs.append(FlakeInput("nixos-raspberrypi", RASPBERRY_PI_FLAKE, False))
    if options.sops:
        inputs.append(FlakeInput("sops-nix", "github:Mic92/sops-nix"))
    return (inputs[0], *sorted(inputs[1:], key=lambda i: i.name))


def is_raspberry_pi(host: SecondHost | None) -> bool:
    return host is not None and host.kind == "raspberry-pi"


def binary_caches(options: PlanOptions, through: Phase) -> tuple[BinaryCache, ...]:
    return (
        (RASPBERRY_PI_CACHE,) if is_raspberry_pi(second_host(options, through)) else ()
    )


def raspberry_pi_modules(model: str) -> tuple[str, ...]:
    return (
        f"{_RPI}.nixosModules.raspberry-pi-{model}.base",
        f"{_RPI}.nixosModules.sd-image",
    )


def host_module_path(name: str) -> str:
    return f"hosts/{name}/default.nix"


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
    sops = (_SOPS["nixos"],) if options.sops else ()
    if is_raspberry_pi(host):
        modules = (*raspberry_pi_modules(host.pi_model), _HM_NIXOS, *sops)
        return FlakeOutput(
            "nixos",
            host.name,
            host.system,
            host_dir,
            modules,
            builder=f"{_RPI}.lib.nixosSystem",
            special_inputs=("nixos-raspberrypi",),
        )
    modules = (_HM_NIXOS, *sops)
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
        relpath=host_module_path(options.hostname),
        system=options.system,
        user=options.user,
        home=options.home,
        home_imports=(*_HOME_FROM_HOST, "../../home/darwin.nix"),
        imports=("./homebrew.nix",) if homebrew else (),
        unfree=unfree,
        nix_enable=not options.determinate_nix,
        state_version=options.state_versions.darwin,
        touch_id=macos and options.touch_id,
        defaults=dict(options.declarative.macos_defaults) if macos else {},
        sops=options.sops,
        services=services if through >= Phase.CLEANUP else (),
    )


def linux_home_host(options: PlanOptions) -> HomeHost:
    return HomeHost(
        relpath=host_module_path(options.hostname),
        user=options.user,
        home=options.home,
        imports=(*_HOME_FROM_HOST, "../../home/linux.nix"),
    )


def second_host_module(
    options: PlanOptions, host: SecondHost, *, unfree: bool
) -> NixosHost | HomeHost:
    user = second_user(options, host)
    relpath = host_module_path(host.name)
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
        raspberry_pi_model=host.pi_model if pi else None,
        systemd_boot=not pi,
        unfree=unfree,
        sops=options.sops,
        state_version=options.state_versions.nixos,
    )
