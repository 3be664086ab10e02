using Stratus.Core.Http;

namespace Stratus.Tests.Unit;

public sealed class LocatableRequestIdsTests
{
    [Fact]
    public void A_generated_id_names_its_day_its_process_and_its_chunk()
    {
        var first = LocatableRequestIds.New(new DateTimeOffset(2026, 12, 2, 23, 59, 0, TimeSpan.Zero));

        Assert.True(LocatableRequestIds.TryLocate(first, out var location));
        Assert.Equal((new DateOnly(2026, 12, 2), LocatableRequestIds.ProcessTag), (location.Day, location.Process));
        var later = Enumerable.Range(0, LocatableRequestIds.ChunkSize).Select(_ => LocatableRequestIds.New(DateTimeOffset.UtcNow)).ToArray()[^1];
        Assert.True(LocatableRequestIds.TryLocate(later, out var next));
        Assert.InRange(next.Chunk, location.Chunk + 1, location.Chunk + 2); // a chunk holds ChunkSize consecutive requests (others may take ids meanwhile)
    }

    [Theory]
    [InlineData("caller-id-123")]
    [InlineData("fb-0")]
    [InlineData("20261302-0a1b2c3d-1f")] // no such day
    [InlineData("20261202-0A1B2C3D-1f")] // not this format's lower-case tag
    [InlineData("4c3c2b1a0f9e8d7c6b5a493827161504")]
    public void Ids_callers_choose_are_not_taken_for_generated_ones(string id) =>
        Assert.False(LocatableRequestIds.TryLocate(id, out _));
}
