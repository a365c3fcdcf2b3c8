"""Total the order lines already in spend into DailySpend."""

from django.db import migrations

FILL = """
INSERT INTO spend_dailyspend
    (day, buyer_id, supplier_id, contract_id, category, spend, spend_with_baseline, baseline, lines)
SELECT ordered_on, buyer_id, supplier_id, contract_id, category, SUM(line_total),
       SUM(CASE WHEN baseline_total IS NULL THEN 0 ELSE line_total END),
       SUM(COALESCE(baseline_total, 0)), COUNT(*)
FROM orders_orderline WHERE in_spend
GROUP BY ordered_on, buyer_id, supplier_id, contract_id, category
"""


class Migration(migrations.Migration):
    dependencies = [("spend", "0002_dailyspend"), ("orders", "0001_initial")]
    operations = [migrations.RunSQL(FILL, "DELETE FROM spend_dailyspend")]
