"""Put the decisions of phases 1..N together into one `ConfigModel`."""

from __future__ import annotations

from collections.abc import Mapping

from nixmigrate.plan.config import (
    ConfigModel,
    FlakeModel,
    HomeHost,
    HomeModule,
    MutableLink,
    NixosHost,
    ProgramModule,
    home_module_path,
)
from nixmigrate.plan.facts import Facts
from nixmigrate.plan.homebrew import plan_homebrew
from nixmigrate.plan.hosts import (
    binary_caches,
    darwin_host,
    flake_inputs,
    linux_home_host,
    primary_output,
    second_host,
    second_host_module,
    second_output,
)
from nixmigrate.plan.links import is_darwin_only, sort_links
from nixmigrate.plan.module_requirements import required_settings
from nixmigrate.plan.packages import BUCKETS, Bucket
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.services import enabled_services


def build_config(facts: Facts, through: Phase) -> ConfigModel:
    options = facts.options
    unfree = _unfree(facts, through)
    homebrew = plan_homebrew(facts.inventory, options, through)
    other = second_host(options, through)
    outputs = [primary_output(options, unfree=bool(unfree))]
    nixos_hosts: list[NixosHost] = []
    home_hosts: list[HomeHost] = []
    if not options.is_darwin:
        home_hosts.append(linux_home_host(options))
    if other is not None:
        outputs.append(second_output(options, other, unfree=bool(unfree)))
        module = second_host_module(options, other, unfree=bool(unfree))
        if isinstance(module, HomeHost):
            home_hosts.append(module)
        else:
            nixos_hosts.append(module)
    darwin = (
        darwin_host(
            options,
            through=through,
            homebrew=homebrew is not None,
            unfree=bool(unfree),
            services=enabled_services(facts.inventory),
        )
        if options.is_darwin
        else None
    )
    return ConfigModel(
        flake=FlakeModel(
            flake_inputs(options, through),
            tuple(outputs),
            binary_caches(options, through),
        ),
        home_modules=home_modules(facts, through),
        program_modules=program_modules(facts, through),
        darwin_hosts=(darwin,) if darwin else (),
        nixos_hosts=tuple(nixos_hosts),
        home_hosts=tuple(home_hosts),
        homebrew=(homebrew,) if homebrew else (),
        unfree=unfree,
    )


def _unfree(facts: Facts, through: Phase) -> tuple[str, ...]:
    if through < Phase.PACKAGES:
        return ()
    return facts.packages(declarative=through >= Phase.DECLARATIVE).unfree


def program_modules(facts: Facts, through: Phase) -> tuple[ProgramModule, ...]:
    return facts.declarative.modules if through >= Phase.DECLARATIVE else ()


def links_for(facts: Facts, through: Phase) -> tuple[MutableLink, ...]:
    """Every mkOutOfStoreSymlink the configuration holds after phases 1..through."""
    links: list[MutableLink] = []
    if through >= Phase.CONFIGS:
        links.extend(facts.mutable_links)
    if through >= Phase.DECLARATIVE:
        links.extend(facts.declarative.links)
    return sort_links(links)


def home_modules(facts: Facts, through: Phase) -> tuple[HomeModule, ...]:
    declarative = through >= Phase.DECLARATIVE
    packages = (
        facts.packages(declarative=declarative) if through >= Phase.PACKAGES else None
    )
    links = links_for(facts, through)
    state_version = facts.options.state_versions.home
    programs: Mapping[str, Bucket] = facts.declarative.buckets if declarative else {}
    return tuple(
        HomeModule(
            relpath=home_module_path(bucket),
            imports=_program_imports(programs, bucket),
            packages=packages.packages[bucket] if packages else (),
            programs=packages.programs[bucket] if packages else (),
            links=tuple(
                link
                for link in links
                if _link_bucket(link, is_darwin=facts.options.is_darwin) == bucket
            ),
            state_version=state_version if bucket == "common" else None,
            settings=required_settings(
                [
                    *(p.name for p in (packages.programs[bucket] if packages else ())),
                    *(name for name in programs if programs[name] == bucket),
                ]
            ),
        )
        for bucket in BUCKETS
    )


def _program_imports(buckets: Mapping[str, Bucket], bucket: Bucket) -> tuple[str, ...]:
    return tuple(
        f"./programs/{name}.nix" for name in sorted(buckets) if buckets[name] == bucket
    )


def _link_bucket(link: MutableLink, *, is_darwin: bool) -> Bucket:
    """Links under ~/Library are the Mac's; a Linux machine that has them (an app
    keeping the macOS path) gets them in its own module, which its host imports."""
    if not is_darwin_only(link):
        return "common"
    return "darwin" if is_darwin else "linux"
