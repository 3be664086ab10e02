using Stratus.Core.Datasets;
using Stratus.Core.Errors;
using Stratus.Storage;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Integration;

/// <summary>Datasets on a real Azurite: a version's stored bytes are never overwritten by other bytes.</summary>
public sealed class DatasetStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static DatasetVersion Version(string sha256) => new()
    {
        Name = "collide",
        Version = sha256[..16],
        Sha256 = sha256,
        SizeBytes = 4,
        BlobPath = $"collide/{sha256[..16]}.csv",
        Rows = 1,
        Columns = [],
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public async Task Different_bytes_under_an_existing_version_are_a_conflict_and_the_stored_bytes_stay()
    {
        var store = new BlobTableDatasetStore(azurite.Clients);
        var original = Version("aaaaaaaaaaaaaaaa" + new string('1', 48));
        var colliding = Version("aaaaaaaaaaaaaaaa" + new string('2', 48)); // same 64-bit prefix, other file
        await store.AddAsync(original, new MemoryStream("a\n1\n"u8.ToArray()));

        var afterRow = await Assert.ThrowsAsync<DomainException>(() => store.AddAsync(colliding, new MemoryStream("b\n2\n"u8.ToArray())));

        // Between another upload's blob and its table row, only the blob tells: it is not overwritten either.
        await azurite.Clients.Tables.GetTableClient(Stratus.Core.Configuration.StorageNames.DatasetsTable).DeleteEntityAsync(original.Name, original.Version);
        var beforeRow = await Assert.ThrowsAsync<DomainException>(() => store.AddAsync(colliding, new MemoryStream("b\n2\n"u8.ToArray())));

        Assert.Equal((ErrorKind.Conflict, ErrorKind.Conflict), (afterRow.Kind, beforeRow.Kind));
        var blobs = azurite.Clients.Blobs.GetBlobContainerClient(Stratus.Core.Configuration.StorageNames.DatasetsContainer);
        Assert.Equal("a\n1\n", (await blobs.GetBlobClient(original.BlobPath).DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task The_same_bytes_uploaded_twice_converge_on_one_version()
    {
        var store = new BlobTableDatasetStore(azurite.Clients);
        var version = Version("bbbbbbbbbbbbbbbb" + new string('3', 48)) with { Name = "same", BlobPath = "same/bbbbbbbbbbbbbbbb.csv" };

        var first = await store.AddAsync(version, new MemoryStream("c\n3\n"u8.ToArray()));
        var second = await store.AddAsync(version, new MemoryStream("c\n3\n"u8.ToArray()));

        Assert.Equal((true, false), (first.Created, second.Created));
    }
}
