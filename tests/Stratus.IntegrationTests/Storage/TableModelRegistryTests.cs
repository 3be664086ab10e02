using Stratus.Core.Models;
using Stratus.Core.Errors;
using Stratus.Storage;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Integration;

/// <summary>The registry against a real Azurite: atomic version numbers and no lost updates under races.</summary>
public sealed class TableModelRegistryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private TableModelRegistry Registry() => new(azurite.Clients, TimeProvider.System);

    [Fact]
    public async Task Concurrent_allocations_hand_out_each_number_once()
    {
        var registry = Registry();
        await registry.UpsertCardAsync(new ModelCardUpdate { Name = "alloc" });
        var numbers = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => Task.Run(() => Registry().AllocateVersionAsync("alloc"))));
        Assert.Equal(Enumerable.Range(1, 25), numbers.Order());
        Assert.Equal(25, (await registry.GetCardAsync("alloc"))!.Value.LatestVersion);
    }

    [Fact]
    public async Task Concurrent_alias_and_card_updates_do_not_overwrite_each_other()
    {
        var registry = Registry();
        await registry.UpsertCardAsync(new ModelCardUpdate { Name = "races", Description = "v0" });
        await AddVersionAsync(registry, "races", await registry.AllocateVersionAsync("races"));

        var work = Enumerable.Range(0, 8).Select(i => (Task)Task.Run(() => Registry().SetAliasAsync("races", $"a{i}", 1)))
            .Concat(Enumerable.Range(0, 4).Select(i => (Task)Task.Run(() => Registry().UpsertCardAsync(new ModelCardUpdate { Name = "races", Description = "v0", BusinessMetric = $"m{i}" }))));
        await Task.WhenAll(work);

        var card = (await registry.GetCardAsync("races"))!.Value;
        Assert.Equal(8, card.Aliases.Count);
        Assert.Equal("v0", card.Description);
        Assert.StartsWith("m", card.BusinessMetric);
        Assert.Equal(1, card.LatestVersion);
    }

    [Fact]
    public async Task Stale_if_match_is_refused_and_alias_to_missing_version_is_404()
    {
        var registry = Registry();
        var created = await registry.UpsertCardAsync(new ModelCardUpdate { Name = "etags", Description = "one" });
        Assert.True(created.Created);
        var second = await registry.UpsertCardAsync(new ModelCardUpdate { Name = "etags", Description = "two" }, created.ETag);
        Assert.False(second.Created);
        var stale = await Assert.ThrowsAsync<DomainException>(() => registry.UpsertCardAsync(new ModelCardUpdate { Name = "etags", Description = "three" }, created.ETag));
        Assert.Equal(ErrorKind.PreconditionFailed, stale.Kind);
        var missing = await Assert.ThrowsAsync<DomainException>(() => registry.SetAliasAsync("etags", "champion", 3));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        Assert.Equal("two", (await registry.GetCardAsync("etags"))!.Value.Description);
    }

    [Fact]
    public async Task An_alias_set_with_a_stale_etag_is_refused_and_each_move_is_recorded_in_the_alias_history()
    {
        var registry = Registry();
        await registry.UpsertCardAsync(new ModelCardUpdate { Name = "history" });
        await AddVersionAsync(registry, "history", await registry.AllocateVersionAsync("history"));
        await AddVersionAsync(registry, "history", await registry.AllocateVersionAsync("history"));
        var read = (await registry.GetCardAsync("history"))!;

        var first = await registry.SetAliasAsync("history", Aliases.Champion, 1, read.ETag);
        var stale = await Assert.ThrowsAsync<DomainException>(() => registry.SetAliasAsync("history", Aliases.Champion, 2, read.ETag));
        Assert.Equal(ErrorKind.PreconditionFailed, stale.Kind);
        await registry.SetAliasAsync("history", Aliases.Champion, 2, first.ETag);
        await registry.RemoveAliasAsync("history", Aliases.Champion);

        var card = (await registry.GetCardAsync("history"))!.Value;
        Assert.Empty(card.Aliases);
        Assert.Equal(
            [(Aliases.Champion, (int?)1, (int?)null), (Aliases.Champion, 2, 1), (Aliases.Champion, null, 2)],
            card.AliasHistory!.Select(c => (c.Alias, c.Version, c.Previous)));
    }

    [Fact]
    public async Task A_conditional_alias_move_lands_only_while_the_alias_points_where_expected_and_a_repeat_is_harmless()
    {
        var registry = Registry();
        await registry.UpsertCardAsync(new ModelCardUpdate { Name = "moves" });
        for (var v = 1; v <= 3; v++)
        {
            await AddVersionAsync(registry, "moves", await registry.AllocateVersionAsync("moves"));
        }

        Assert.True(await registry.MoveAliasAsync("moves", "champion", 1, expected: null)); // absent, as expected
        Assert.True(await registry.MoveAliasAsync("moves", "champion", 2, expected: 1));
        Assert.False(await registry.MoveAliasAsync("moves", "champion", 3, expected: 1)); // compared with 1, but 2 serves now
        Assert.True(await registry.MoveAliasAsync("moves", "champion", 2, expected: 1)); // a retried call that already landed

        Assert.Equal(2, (await registry.GetCardAsync("moves"))!.Value.Aliases["champion"]);
    }

    [Fact]
    public async Task Concurrent_conditional_moves_from_the_same_champion_let_exactly_one_land()
    {
        var registry = Registry();
        await registry.UpsertCardAsync(new ModelCardUpdate { Name = "move-race" });
        for (var v = 1; v <= 9; v++)
        {
            await AddVersionAsync(registry, "move-race", await registry.AllocateVersionAsync("move-race"));
        }

        await registry.SetAliasAsync("move-race", "champion", 1);
        var landed = await Task.WhenAll(Enumerable.Range(2, 8).Select(v => Task.Run(() => Registry().MoveAliasAsync("move-race", "champion", v, expected: 1))));

        Assert.Single(landed, moved => moved);
        Assert.Equal(2 + Array.IndexOf(landed, true), (await registry.GetCardAsync("move-race"))!.Value.Aliases["champion"]);
    }

    [Fact]
    public async Task Large_documents_are_split_across_properties()
    {
        var registry = Registry();
        var features = Enumerable.Range(0, 4000).Select(i => $"feature_number_{i:D5}").ToArray(); // ~90K characters of JSON
        await registry.UpsertCardAsync(new ModelCardUpdate { Name = "wide", FeatureNames = features });
        Assert.Equal(features, (await registry.GetCardAsync("wide"))!.Value.FeatureNames!);
    }

    [Fact]
    public async Task Versions_round_trip_with_signature_and_lineage()
    {
        var registry = Registry();
        await registry.UpsertCardAsync(new ModelCardUpdate { Name = "roundtrip", Task = ModelTask.Regression, FeatureNames = ["a", "b"] });
        var number = await registry.AllocateVersionAsync("roundtrip");
        await AddVersionAsync(registry, "roundtrip", number);
        var version = await registry.GetVersionAsync("roundtrip", number);
        Assert.NotNull(version);
        Assert.Equal("x", Assert.Single(version.Signature.Inputs).Name);
        Assert.Equal([-1L, 2L], version.Signature.Inputs[0].Shape);
        Assert.Equal(0.5, version.Metrics["rmse"]);
        Assert.Equal("training", version.Lineage.Source);
        Assert.Equal(7, version.Lineage.Seed);
        Assert.Null(await registry.GetVersionAsync("roundtrip", number + 1));
        Assert.Equal(["a", "b"], (await registry.GetCardAsync("roundtrip"))!.Value.FeatureNames!);
    }

    private static Task AddVersionAsync(TableModelRegistry registry, string name, int number) =>
        registry.AddVersionAsync(new ModelVersion
        {
            Model = name,
            Version = number,
            ArtifactPath = $"{name}/{number}/model.onnx",
            Sha256 = "00",
            SizeBytes = 1,
            Signature = new ModelSignature([new TensorSpec("x", "float", [-1, 2])], [new TensorSpec("y", "float", [-1, 1])]),
            Metrics = new Dictionary<string, double> { ["rmse"] = 0.5 },
            Lineage = new Lineage { Source = Lineage.TrainingSource, Seed = 7 },
        });
}
