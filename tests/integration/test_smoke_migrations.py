import sqlalchemy as sa

from mediation.sample_county import build_sample_county, USERS


def test_migrated_database_takes_the_sample_county(db):
    build_sample_county(db)
    with db.read() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM users")).scalar()
    assert count == len(USERS)
