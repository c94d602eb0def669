/// The config keys and dataset of a maps artifact written by `apply --shard K/N`.
public enum ShardKeys {
    public static let shard = "shard"
    public static let shards = "shards"
    /// Items of the whole apply, and `Shard.listDigest` of their ids.
    public static let items = "shard_items"
    public static let itemsDigest = "shard_items_sha256"
    /// Each map's position among the whole apply's items (int64).
    public static let positions = "shard_positions"
    static let configKeys = [shard, shards, items, itemsDigest]
}
