"""Migration 0004 chains the entries a database already holds, each in its pooling region's
chain, oldest first, and leaves the log append-only again."""

from fresh_databases import POSTGRES, cluster_roles, connect, fresh_database, yibao

AT = "'2024-01-0{day} 10:00:00.123456{tz}'"


def test_existing_entries_are_chained(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    with cluster_roles() as roles, fresh_database(tmp_path, "legacy", roles, split=False) as db:
        for step in (["manage", "migrate", "audit", "0003"], ["manage", "migrate", "regions"]):
            done = yibao(db, var, *step)
            assert done.returncode == 0, done.stderr
        true = "true" if POSTGRES else "1"
        false = "false" if POSTGRES else "0"
        with connect(db) as conn:
            conn.execute("INSERT INTO regions_division (key, code, name, level, parent_id, path, is_pooling_region, note) "
                         f"VALUES ('370000', '370000', '山东省', 'province', NULL, '370000/', {false}, '')")
            conn.execute("INSERT INTO regions_division (key, code, name, level, parent_id, path, is_pooling_region, note) "
                         f"VALUES ('370700', '370700', '潍坊市', 'city', '370000', '370000/370700/', {true}, '')")
            for day in range(1, 6):
                path = "370000/370700/370705/" if day % 2 else ""
                at = AT.format(day=day, tz="+00" if POSTGRES else "")
                conn.execute("INSERT INTO audit_auditentry (at, actor_id, actor_label, actor_role, action, object_type, "
                             "object_id, division_path, before, after, ip) VALUES "
                             f"({at}, 7, 'clerk', 'agency_clerk', 'legacy.change', 'thing', '{day}', '{path}', "
                             """'{"base": "4000.00", "rate": 1.5}', NULL, '10.0.0.1')""")
        init = yibao(db, var, "init")
        assert init.returncode == 0, init.stderr
        checked = yibao(db, var, "audit", "verify")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        with connect(db) as conn:
            rows = conn.execute("SELECT object_id, chain, seq FROM audit_auditentry WHERE action = 'legacy.change' "
                                "ORDER BY id").fetchall()
            assert [tuple(r) for r in rows] == [("1", "370700", 1), ("2", "", 1), ("3", "370700", 2),
                                                ("4", "", 2), ("5", "370700", 3)]
            total = conn.execute("SELECT COUNT(*) FROM audit_auditentry").fetchone()[0]
        assert f"{total} 条记录的哈希链全部校验通过" in checked.stdout
        with connect(db) as conn:  # append-only again
            try:
                conn.execute("UPDATE audit_auditentry SET action = 'forged'")
            except Exception as exc:  # noqa: BLE001
                assert "append-only" in str(exc)
            else:
                raise AssertionError("UPDATE of the audit log went through")
