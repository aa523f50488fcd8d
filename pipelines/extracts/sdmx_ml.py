"""SDMX-ML 2.1 structure-specific data message for DF_SDG_GLH, written with ``sdmx1``.

The message is built on the real DSD (``SDG_DSD.xml``, IAEG-SDGs:SDG(1.3)) when the real data
folder has it, otherwise on a DSD built here from the pinned code lists (same components, key
order and attribute attachment). Series = all dimensions but TIME_PERIOD (with the series-level
attribute UNIT_MEASURE); observations carry TIME_PERIOD, OBS_VALUE and the observation-level
attributes that are given. The header ID and prepared time are passed in, so the same warehouse
gives byte-identical files.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

import polars as pl

from pipelines.extracts import codelists
from pipelines.extracts.codelists import CodeLists

SENDER_ID = "FLOORBOARD"


def _sdmx():
    import sdmx  # slow import (~seconds): only when SDMX-ML is written or read

    return sdmx


@functools.cache
def _real_dsd(xml_path: str):
    msg = _sdmx().read_sdmx(xml_path)
    return msg.structure[codelists.DSD_ID]


@functools.cache
def _built_dsd(cl: CodeLists):
    """A DSD with the components of SDG 1.3 and the given code lists (pinned fallback)."""
    from sdmx.model import common, v21

    def codelist(cl_id: str):
        agency, version = cl.codelist_agency.get(cl_id, (codelists.AGENCY, "1.0"))
        result = common.Codelist(id=cl_id, version=version, maintainer=common.Agency(id=agency))
        for code in sorted(cl.codes.get(cl_id, ())):
            result.append(common.Code(id=code, name=cl.name(cl_id, code)))
        return result

    dsd = v21.DataStructureDefinition(
        id=codelists.DSD_ID,
        version=cl.dsd_version,
        maintainer=common.Agency(id=codelists.AGENCY),
    )
    dims = []
    for order, (dim_id, cl_id) in enumerate(cl.dimensions, start=1):
        rep = common.Representation(enumerated=codelist(cl_id))
        dims.append(dsd.dimensions.getdefault(dim_id, local_representation=rep, order=order))
    dsd.dimensions.getdefault(codelists.TIME_DIMENSION, cls=common.TimeDimension)
    dsd.measures.getdefault(codelists.PRIMARY_MEASURE)
    for attr_id, cl_id in cl.attributes:
        related = (
            common.DimensionRelationship(dimensions=list(dims))
            if attr_id in codelists.SERIES_ATTRIBUTES
            else v21.PrimaryMeasureRelationship()
        )
        kwargs = {"related_to": related}
        if cl_id:
            kwargs["local_representation"] = common.Representation(enumerated=codelist(cl_id))
        dsd.attributes.getdefault(attr_id, **kwargs)
    return dsd


def dsd_for(cl: CodeLists):
    """The real DSD when the code lists come from the real folder, else the built one."""
    folder = codelists.real_sdmx_dir()
    if cl.source == "real" and folder is not None:
        return _real_dsd(str(folder / "SDG_DSD.xml"))
    return _built_dsd(cl)


def dataflow(dsd, version: str):
    from sdmx.model import common, v21

    return v21.DataflowDefinition(
        id=codelists.DATAFLOW_ID,
        version=version,
        maintainer=common.Agency(id=codelists.AGENCY),
        structure=dsd,
    )


def _series_attribute_ids(dsd) -> set[str]:
    from sdmx.model import common

    return {a.id for a in dsd.attributes if isinstance(a.related_to, common.DimensionRelationship)}


def message(frame: pl.DataFrame, cl: CodeLists, header_id: str, prepared: datetime, version: str):
    """The DataMessage for an SDMX frame (``sdmx_csv.sdmx_frame``: validated, all text)."""
    sdmx = _sdmx()
    from sdmx.model import common, v21

    dsd = dsd_for(cl)
    flow = dataflow(dsd, version)
    dims = {d.id: d for d in dsd.dimensions}
    attrs = {a.id: a for a in dsd.attributes}
    measure = dsd.measures.get(codelists.PRIMARY_MEASURE)
    series_attrs = _series_attribute_ids(dsd)
    key_order = [d for d in cl.key_order if d in dims]
    attr_cols = [c for c in frame.columns if c in attrs]

    ds = v21.StructureSpecificDataSet(structured_by=dsd, described_by=flow)
    groups: dict[tuple, tuple] = {}
    shared: dict[tuple[str, str], object] = {}  # one AttributeValue per (attribute, value)

    def attribute_value(attr_id: str, value: str):
        key = (attr_id, value)
        if key not in shared:
            shared[key] = common.AttributeValue(value=value, value_for=attrs[attr_id])
        return shared[key]

    time_keys: dict[str, object] = {}  # one Key per TIME_PERIOD (read-only when written)

    def time_key(period: str):
        if period not in time_keys:
            time_keys[period] = common.Key(**{codelists.TIME_DIMENSION: period})
        return time_keys[period]

    for row in frame.iter_rows(named=True):
        skey = tuple(row[d] for d in key_order)
        if skey not in groups:
            values = {d: common.KeyValue(id=d, value=row[d], value_for=dims[d]) for d in key_order}
            sk = common.SeriesKey(
                values=values,
                described_by=dsd.dimensions,
            )
            for a in attr_cols:
                if a in series_attrs and row[a] != "":
                    sk.attrib[a] = attribute_value(a, row[a])
            groups[skey] = (sk, [])
        obs_attrs = {
            a: attribute_value(a, row[a])
            for a in attr_cols
            if a not in series_attrs and row[a] != ""
        }
        groups[skey][1].append(
            v21.Observation(
                dimension=time_key(row[codelists.TIME_DIMENSION]),
                value=row[codelists.PRIMARY_MEASURE],
                value_for=measure,
                attached_attribute=obs_attrs,
            )
        )
    for sk, observations in groups.values():
        ds.add_obs(observations, sk)

    header = sdmx.message.Header(
        id=header_id,
        test=False,
        prepared=prepared,
        sender=common.Agency(id=SENDER_ID),
    )
    msg = sdmx.message.DataMessage(
        header=header,
        dataflow=flow,
        observation_dimension=dsd.dimensions.get(codelists.TIME_DIMENSION),
    )
    msg.data.append(ds)
    return msg


def header_id(release_id: str) -> str:
    """An SDMX message ID (``[A-Za-z][A-Za-z0-9_-]*``) from the release id."""
    cleaned = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in release_id)
    return f"FLOORBOARD_{cleaned}"


def write(
    frame: pl.DataFrame,
    cl: CodeLists,
    path: Path,
    release_id: str,
    prepared: datetime,
    version: str,
) -> Path:
    msg = message(frame, cl, header_id(release_id), prepared, version)
    path.write_bytes(_sdmx().to_xml(msg, pretty_print=True))
    return path


def read(path: Path, cl: CodeLists):
    """Parse a written file back with ``sdmx.read_sdmx`` (structure-specific data needs the DSD)."""
    return _sdmx().read_sdmx(path, structure=dsd_for(cl))
