"""Reports: the day close (营业日报), trends, best sellers, room fees, members, the shift
handover (交班). Pure aggregation (``facts``, ``engine``, ``model``) over facts a thin reader
(``store``) loads; see docs/reports.md."""
