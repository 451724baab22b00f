"""Import-time compatibility shim for PMapper (principalmapper 1.1.5, 2022)
on Python 3.10+.

What breaks
-----------
``principalmapper/util/case_insensitive_dict.py`` does::

    from collections import Mapping, MutableMapping, OrderedDict

The ABC aliases in the ``collections`` namespace (``collections.Mapping``,
``collections.MutableMapping``, ``collections.Sequence``, ...) were deprecated
in 3.3 and removed in Python 3.10, so *every* principalmapper module that
touches policy evaluation (``querying.local_policy_simulation``,
``querying.query_interface``, ``graphing.*``) fails with::

    ImportError: cannot import name 'Mapping' from 'collections'

That is the only 3.10+/3.11 incompatibility we hit in the code paths we use
(policy simulation, admin detection, offline edge generation); its other
dependencies (botocore, packaging, python-dateutil, pydot) install current
versions from PyPI and import fine.

How it is shimmed
-----------------
``apply()`` re-adds the removed aliases to the ``collections`` module,
pointing at the real classes in ``collections.abc`` (only names that are
missing, so it is a no-op on old Pythons and idempotent).  It must run
*before* the first ``import principalmapper...``; our entry points call
``import_pmapper()`` which does both.  Nothing in the installed package is
edited: a fresh ``pip install principalmapper==1.1.5`` plus this file is all
that is needed.
"""

from __future__ import annotations

import collections
import collections.abc

PATCHED: list = []


def apply() -> list:
    """Restore ``collections.<ABC>`` aliases removed in Python 3.10.
    Returns the names that were added (empty when nothing was needed)."""
    for name in collections.abc.__all__:
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))
            PATCHED.append(name)
    return list(PATCHED)


def import_pmapper():
    """Apply the shim and import the PMapper modules the benchmarks use.
    Returns a simple namespace of them."""
    apply()
    import types

    import principalmapper
    from principalmapper.common import Group, Node, Policy
    from principalmapper.graphing import edge_identification, gathering
    from principalmapper.querying import local_policy_simulation, query_interface
    from principalmapper.util.case_insensitive_dict import CaseInsensitiveDict

    return types.SimpleNamespace(
        version=principalmapper.__version__,
        Node=Node, Group=Group, Policy=Policy,
        gathering=gathering, edge_identification=edge_identification,
        query_interface=query_interface,
        local_policy_simulation=local_policy_simulation,
        CaseInsensitiveDict=CaseInsensitiveDict,
    )
