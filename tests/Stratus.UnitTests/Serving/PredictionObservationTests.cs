using Microsoft.Extensions.DependencyInjection;
using Moq;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.GpuTier.Client;
using Stratus.Registry;
using Stratus.Serving;
using Stratus.Serving.Observation;
using Stratus.Serving.Onnx;
using Stratus.Serving.Routing;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>The one observation hook: what it hands observers for predict and V2, in process and on the GPU tier.</summary>
public sealed class PredictionObservationTests : IDisposable
{
    private static readonly string[] Features = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"];
    private readonly LoadedModel _iris = SampleModels.Load("iris");
    private readonly Mock<IModelRegistry> _registry = new();
    private readonly Mock<IGpuTierClient> _tier = new();
    private readonly Recorder _recorder = new();
    private ServiceProvider? _services;

    private sealed class Recorder : IPredictionObserver
    {
        public List<ServedPrediction> Seen { get; } = [];

        public ValueTask ObserveAsync(ServedPrediction prediction, CancellationToken cancellationToken)
        {
            Seen.Add(prediction);
            return ValueTask.CompletedTask;
        }
    }

    private ServiceProvider Services(ServingTier tier, bool observe = true, IVersionSelector? selector = null)
    {
        var card = new ModelCard { Name = "obs-iris", Tier = tier, FeatureNames = Features, Aliases = new Dictionary<string, int> { ["champion"] = 1 } };
        _registry.Setup(r => r.GetCardAsync("obs-iris", It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<ModelCard>(card, "e"));
        _registry.Setup(r => r.GetVersionAsync("obs-iris", 1, It.IsAny<CancellationToken>())).ReturnsAsync(_iris.Version with { Model = "obs-iris" });
        var artifacts = new Mock<IArtifactStore>();
        artifacts.Setup(a => a.DownloadAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync(File.ReadAllBytes(TestPaths.SampleModel("iris")));
        var services = new ServiceCollection().AddLogging().AddSingleton(_registry.Object).AddSingleton(artifacts.Object).AddSingleton(_tier.Object);
        if (observe)
        {
            services.AddSingleton<IPredictionObserver>(_recorder);
        }

        services.AddOptions<StratusOptions>();
        if (selector is not null)
        {
            services.AddSingleton(selector);
        }

        services.AddStratusServing();
        return _services = services.BuildServiceProvider();
    }

    private static MemoryStream Body(string json) => new(System.Text.Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task A_predict_served_in_process_hands_observers_its_model_version_rows_bound_inputs_and_outputs()
    {
        var services = Services(ServingTier.Cpu);
        await services.GetRequiredService<PredictionService>().PredictAsync("obs-iris", default, Body("""{"instances":[[5.1,3.5,1.4,0.2],[6.7,3.0,5.2,2.3]]}"""), null, "req-1", CancellationToken.None);
        await ObserveAllAsync(services);

        var seen = Assert.Single(_recorder.Seen);
        Assert.Equal(("obs-iris", 1, "req-1", PredictionService.Protocol, ServingTier.Cpu, 2), (seen.Model, seen.Version, seen.RequestId, seen.Protocol, seen.Tier, seen.Rows));
        Assert.Equal([5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f], (float[])Assert.Single(seen.Inputs).Data);
        Assert.Equal(_iris.Run(seen.Inputs).Select(o => o.Name), seen.Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task A_v2_infer_passed_to_the_gpu_tier_is_decoded_for_observers_from_the_bodies_sent_and_received()
    {
        var services = Services(ServingTier.Gpu);
        var answer = """{"model_name":"obs-iris","model_version":"1","id":"req-2","outputs":[{"name":"PredictedLabel.output","datatype":"FP32","shape":[1],"data":[2]}]}"""u8.ToArray();
        _tier.Setup(t => t.InferAsync("obs-iris", 1, It.IsAny<ReadOnlyMemory<byte>>(), "req-2", null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new TierResult.Served(answer, null));

        await services.GetRequiredService<OpenInferenceService>().InferAsync(
            "obs-iris", null, null, Body("""{"inputs":[{"name":"Features","datatype":"FP32","shape":[1,4],"data":[[6.7,3.0,5.2,2.3]]}]}"""), null, "req-2", null, CancellationToken.None);
        await ObserveAllAsync(services);

        var seen = Assert.Single(_recorder.Seen);
        Assert.Equal((ServingTier.Gpu, OpenInferenceService.Protocol, 1), (seen.Tier, seen.Protocol, seen.Rows));
        Assert.Equal([6.7f, 3.0f, 5.2f, 2.3f], (float[])Assert.Single(seen.Inputs).Data);
        Assert.Equal([2f], (float[])Assert.Single(seen.Outputs).Data);
    }

    [Fact]
    public async Task Without_observers_nothing_is_described_or_queued()
    {
        var services = Services(ServingTier.Cpu, observe: false);
        var observations = services.GetRequiredService<PredictionObservations>();
        var described = false;

        observations.Publish(() =>
        {
            described = true;
            return null!;
        });
        await services.GetRequiredService<PredictionService>().PredictAsync("obs-iris", default, Body("""{"instances":[[5.1,3.5,1.4,0.2]]}"""), null, "req-3", CancellationToken.None);
        await ObserveAllAsync(services);

        Assert.False(observations.IsListening);
        Assert.False(described);
    }

    private sealed class FixedAssignment(VariantAssignment assignment) : IVersionSelector
    {
        public ValueTask<VersionChoice> SelectAsync(ModelCard card, ServingTarget target, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new VersionChoice(1, assignment));
    }

    [Fact]
    public async Task A_call_an_experiment_routed_that_fails_is_observed_with_its_error_kind_and_no_rows()
    {
        var assignment = new VariantAssignment("m/x/1", "treatment", "u1");
        var services = Services(ServingTier.Cpu, selector: new FixedAssignment(assignment));

        await Assert.ThrowsAsync<Stratus.Core.Errors.DomainException>(() => services.GetRequiredService<PredictionService>().PredictAsync(
            "obs-iris", default, Body("""{"instances":[[5.1,3.5,1.4]]}"""), null, "req-4", CancellationToken.None));
        await services.GetRequiredService<PredictionService>().PredictAsync("obs-iris", default, Body("""{"instances":[[5.1,3.5,1.4,0.2]]}"""), null, "req-5", CancellationToken.None);
        await ObserveAllAsync(services);

        Assert.Equal([("req-4", 0, "Invalid", assignment), ("req-5", 1, null, assignment)], _recorder.Seen.Select(s => (s.RequestId, s.Rows, s.Error, s.Assignment)));
    }

    /// <summary>Starts the background reader, lets it empty the queue, and stops it (stopping completes once the queue is read).</summary>
    private static async Task ObserveAllAsync(ServiceProvider services)
    {
        var observations = services.GetRequiredService<PredictionObservations>();
        await observations.StartAsync(CancellationToken.None);
        await observations.CompleteAsync();
    }

    public void Dispose()
    {
        _iris.Dispose();
        _services?.Dispose();
    }
}
