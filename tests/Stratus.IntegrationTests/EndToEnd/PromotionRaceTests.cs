using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>Two overlapping runs of one model (the nightly retrain and a manual /train): the better version ends as champion, whichever finishes first.</summary>
[Collection(RunnerCollection.Name)]
public sealed class PromotionRaceTests(RunnerFixture fixture)
{
    private static object Spec(object candidate) => new
    {
        dataset = "race-cancer",
        label = "label",
        task = "binary-classification",
        candidates = new[] { candidate },
        validation = new { holdoutFraction = 0.2, seed = 42 },
        objective = new { metric = "auc" },
        promote = "if-better",
    };

    [Fact]
    public async Task Two_overlapping_trainings_leave_the_better_version_as_champion_whichever_finishes_first()
    {
        using var admin = fixture.Client();
        var upload = await admin.PutAsync("/api/datasets/race-cancer", DatasetEndToEndTests.Csv(await File.ReadAllTextAsync(TrainingSpecs.Csv("breast_cancer"))));
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());

        // A weak first champion, so both later runs would beat it on their own.
        var first = await TrainingEndToEndTests.WaitForCompletionAsync(admin, await admin.PostAsJsonAsync("/api/models/race-model/train",
            Spec(new { algorithm = "fasttree", @params = new { numberOfTrees = new[] { 1 }, numberOfLeaves = new[] { 2 } } })));
        Assert.True(first.GetProperty("output").GetProperty("promoted").GetBoolean());

        var strong = admin.PostAsJsonAsync("/api/models/race-model/train", Spec(new { algorithm = "lightgbm" }));
        var medium = admin.PostAsJsonAsync("/api/models/race-model/train", Spec(new { algorithm = "fasttree", @params = new { numberOfTrees = new[] { 3 }, numberOfLeaves = new[] { 4 } } }));
        var runs = await Task.WhenAll(
            TrainingEndToEndTests.WaitForCompletionAsync(admin, await strong),
            TrainingEndToEndTests.WaitForCompletionAsync(admin, await medium));

        var outputs = runs.Select(r => r.GetProperty("output")).ToArray();
        var auc = outputs.Select(o => (Version: o.GetProperty("version").GetInt32(), Auc: o.GetProperty("best").GetProperty("metrics").GetProperty("auc").GetDouble())).ToArray();
        Assert.NotEqual(auc[0].Auc, auc[1].Auc);
        var better = auc.MaxBy(a => a.Auc).Version;

        var card = (await admin.GetFromJsonAsync<JsonElement>("/api/models/race-model")).GetProperty("card");
        Assert.Equal(better, card.GetProperty("aliases").GetProperty("champion").GetInt32());
        Assert.Single(outputs, o => o.GetProperty("promoted").GetBoolean() && o.GetProperty("version").GetInt32() == better);

    }
}
