using System.Text.Json;
using Azure.Data.Tables;
using Stratus.Core.Http;

namespace Stratus.Storage;

/// <summary>
/// Stores a record as JSON in a table entity. A string property holds at most 64 KiB (32K UTF-16 chars),
/// so long documents (many features, baselines) are split across numbered properties; an entity holds up to 1 MiB.
/// </summary>
internal static class TableDocuments
{
    private const string Property = "Document";
    private const string Chunks = "DocumentChunks";
    private const int ChunkChars = 30_000;

    public static TableEntity Write<T>(string partitionKey, string rowKey, T document)
    {
        var json = JsonSerializer.Serialize(document, StratusJson.Options);
        var entity = new TableEntity(partitionKey, rowKey);
        var count = Math.Max(1, (json.Length + ChunkChars - 1) / ChunkChars);
        if (count > 30)
        {
            throw new InvalidOperationException($"{typeof(T).Name} {partitionKey}/{rowKey} is too large to store ({json.Length} characters).");
        }

        for (var i = 0; i < count; i++)
        {
            entity[i == 0 ? Property : Property + i] = json.Substring(i * ChunkChars, Math.Min(ChunkChars, json.Length - (i * ChunkChars)));
        }

        entity[Chunks] = count;
        return entity;
    }

    public static T Read<T>(TableEntity entity)
    {
        var count = entity.GetInt32(Chunks) ?? 1;
        var json = count == 1
            ? entity.GetString(Property)
            : string.Concat(Enumerable.Range(0, count).Select(i => entity.GetString(i == 0 ? Property : Property + i)));
        return JsonSerializer.Deserialize<T>(json, StratusJson.Options)
            ?? throw new InvalidDataException($"Empty document in {entity.PartitionKey}/{entity.RowKey}.");
    }
}
