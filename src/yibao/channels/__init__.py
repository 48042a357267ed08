"""缴费渠道 (payment channels), one mechanism for both schemes: a system that posts payments (微信,
支付宝, 电子税务局, a bank's counters) for a pooling region and the schemes it may post to
(城乡居民医保 ``resident``, 职工医保 ``employee``), authenticated by a bearer token of which only
the SHA-256 digest is kept. The domain apps that take payments (collection, contributions) build on
it through ``yibao.channels.auth`` (their API's authentication) and its selectors; it imports none
of them."""
