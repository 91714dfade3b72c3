"""Build the configured :class:`sap.client.SapClient` from settings."""

from __future__ import annotations

from config.errors import ConfigError
from config.settings import Settings
from sap.client import SapClient
from sap.odata.client import ODataSapClient
from sap.rfc.client import RfcSapClient, import_factory


def rfc_params(settings: Settings) -> dict[str, str]:
    """Keyword arguments for ``pyrfc.Connection`` (password included; never log this)."""
    sap = settings.sap
    params: dict[str, str] = {"sysnr": sap.sysnr, "client": sap.client, "lang": sap.lang}
    if sap.ashost:
        params["ashost"] = sap.ashost
    if sap.user:
        params["user"] = sap.user
    if sap.passwd is not None:
        params["passwd"] = sap.passwd.get_secret_value()
    params.update(sap.rfc_params)
    return params


def make_sap_client(settings: Settings) -> SapClient:
    """The adapter for ``settings.sap.kind``; the simulator runs under the rfc adapter."""
    sap = settings.sap
    if sap.kind == "odata":
        if not sap.base_url:
            raise ConfigError("SAP kind 'odata' needs ARBRIDGE_SAP__BASE_URL "
                              "(e.g. https://my-s4.example.com)")
        return ODataSapClient(  # type: ignore[return-value]  # reads only; posting checks for post_payment
            base_url=sap.base_url, user=sap.odata_user,
            password=sap.odata_password.get_secret_value() if sap.odata_password else None,
            page_size=sap.page_size, timeout_seconds=sap.timeout_seconds,
            overlap_minutes=sap.overlap_minutes, verify_tls=sap.verify_tls)
    if sap.kind == "rfc":
        if not sap.ashost and not sap.rfc_params:
            raise ConfigError("SAP kind 'rfc' needs ARBRIDGE_SAP__ASHOST (or rfc_params such "
                              "as mshost/group or dest in arbridge.toml)")
        where = f"{sap.ashost or sap.rfc_params.get('dest', 'SAP')} client {sap.client}"
        return RfcSapClient(factory=import_factory(sap.connection_factory),
                            params=rfc_params(settings), page_size=sap.page_size,
                            timeout_seconds=sap.timeout_seconds, overlap_days=sap.overlap_days,
                            where=where)
    from sap.simulator import SapSimulator

    simulator = SapSimulator(settings.simulator_path)
    return RfcSapClient(factory=simulator.connect, params=rfc_params(settings),
                        page_size=sap.page_size, timeout_seconds=sap.timeout_seconds,
                        overlap_days=sap.overlap_days,
                        where=f"simulator {settings.simulator_path}", today=simulator.today)
