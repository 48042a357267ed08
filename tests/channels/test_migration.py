"""The channel moves from the resident collection to ``yibao.channels`` with its rows: a database
holding a channel and a payment through it, migrated from the old state, keeps both, the payment
still points at the channel, the old token still authenticates (for the resident scheme, the only
one a channel served before), and the channel can be revoked."""

import hashlib

from fresh_databases import POSTGRES, cluster_roles, connect, fresh_database, yibao

T = "true" if POSTGRES else "1"
F = "false" if POSTGRES else "0"
NOW = "'2023-11-20 10:30:00+08'" if POSTGRES else "'2023-11-20 02:30:00'"
DIVISIONS = [("370000", "山东省", "province", "NULL", "370000/", F),
             ("371700", "菏泽市", "city", "'370000'", "370000/371700/", F),
             ("371728", "东明县", "county", "'371700'", "370000/371700/371728/", T)]


def test_a_channel_and_its_payment_survive_the_move(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    digest = hashlib.sha256(b"ybc_legacy-token").hexdigest()
    with cluster_roles() as roles, fresh_database(tmp_path, "channels", roles, split=False) as db:
        done = yibao(db, var, "manage", "migrate", "collection", "0002")
        assert done.returncode == 0, done.stderr
        with connect(db) as conn:
            for key, name, level, parent, path, pooling in DIVISIONS:
                conn.execute("INSERT INTO regions_division (key, code, name, level, parent_id, path, is_pooling_region,"
                             f" note) VALUES ('{key}', '{key}', '{name}', '{level}', {parent}, '{path}', {pooling}, '')")
            conn.execute("INSERT INTO resident_person (id, id_number, name, sex, birth_date, household_number, basis,"
                         " phone, life_status, valid_from, created_at, division_id, hukou_division_id,"
                         " residence_division_id, region_id) VALUES (1, '371728199001010012', '旧渠道居民', 'M',"
                         f" '1990-01-01', '', 'hukou', '', 'alive', {NOW}, {NOW}, '371728', '371728', '371728',"
                         " '371728')")
            conn.execute("INSERT INTO resident_enrolment (id, id_number, insurance_year, status, kind, paid_on,"
                         " created_at, division_id, person_id, region_id) VALUES (1, '371728199001010012', 2024,"
                         f" 'paid', 'regular', '2023-11-20', {NOW}, '371728', 1, '371728')")
            conn.execute("INSERT INTO collection_paymentchannel (id, name, token_digest, token_hint, created_at,"
                         f" region_id) VALUES (7, '旧微信', '{digest}', 'ybc_legacy', {NOW}, '371728')")
            conn.execute("INSERT INTO collection_payment (id, insurance_year, id_number, name, payer, part, amount,"
                         " standard, subsidy, payable, category, transaction_id, content_digest, paid_at, paid_on,"
                         " receipt_number, payer_id_number, payer_name, relationship, actor_label, created_at,"
                         " division_id, enrolment_id, region_id, channel_id) VALUES (1, 2024, '371728199001010012',"
                         " '旧渠道居民', 'channel', 'own', 380, 380, 0, 380, '', 'WX-OLD-1', '', "
                         f"{NOW}, '2023-11-20', '', '', '', '', '', {NOW}, '371728', 1, '371728', 7)")

        migrated = yibao(db, var, "manage", "migrate")
        assert migrated.returncode == 0, migrated.stderr
        listed = yibao(db, var, "channels", "list")
        assert listed.returncode == 0, listed.stderr
        assert "7\t371728\t旧微信\tresident\tybc_legacy…\t有效" in listed.stdout
        checked = yibao(db, var, "manage", "shell", "-c", (
            "from yibao.channels.services import authenticate\n"
            "from yibao.collection.models import Payment\n"
            "c = authenticate('ybc_legacy-token', scheme='resident')\n"
            "p = Payment.objects.get(transaction_id='WX-OLD-1')\n"
            "print('channel', c.pk, c.schemes, p.channel_id, p.channel.name, c.payments.count())"))
        assert checked.returncode == 0, checked.stderr
        assert "channel 7 resident 7 旧微信 1" in checked.stdout
        revoked = yibao(db, var, "channels", "revoke", "7")
        assert revoked.returncode == 0, revoked.stderr
        with connect(db) as conn:
            row = conn.execute("SELECT revoked_at IS NOT NULL, schemes FROM collection_paymentchannel WHERE id = 7")
            assert tuple(row.fetchone()) in ((True, "resident"), (1, "resident"))
            assert conn.execute("SELECT channel_id FROM collection_payment WHERE id = 1").fetchone()[0] == 7
