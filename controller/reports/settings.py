"""Reports timing and sizes (unit in the name)."""

catch_up_interval_s = 30.0  # how often the read model follows the billing log in the background
catch_up_batch_events = 500  # billing events per short write transaction
top_n = 10  # best sellers and slow movers shown
