"""Gather run folders from many machines into one results tree and write its site.

    python -m deferbench fleet FOLDER [FOLDER ...] --out build/fleet

Every run folder found under the FOLDERs (any depth: CI's downloaded artifacts,
other clones' results/, results/ itself) is copied to OUT/results/<machine-id>/<run-id>/
under the machine id its own manifest gives, and the site over them is written as
OUT/index.html with relative links, ready to publish as it is (GitHub Pages).
OUT is replaced whole, and only once everything is in place. `make fleet-local`
runs it over results/; the fleet workflow (.github/workflows/fleet.yml) runs it
over the artifacts of its runners.
"""


def add_arguments(p):
    p.add_argument("sources", nargs="+", metavar="FOLDER",
                   help="folders holding run folders at any depth")
    p.add_argument("--out", required=True,
                   help="the folder to write (replaced whole): results/ and index.html")


def run(args):
    from ..render import site  # matplotlib is loaded here, not for --help
    from ..run import fleet
    machines, index = fleet.gather(args.sources, args.out, site.build)
    for machine, runs in sorted(machines.items()):
        print(f"fleet: {machine}: {len(runs)} runs")
    print(f"fleet: {len(machines)} machines, {sum(map(len, machines.values()))} runs; "
          f"site: {index}")
    return 0
