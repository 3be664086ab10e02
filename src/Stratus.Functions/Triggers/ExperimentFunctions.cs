using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Stratus.Core.Http;
using Stratus.Functions.Orchestrations;
using Stratus.Experiments.Management;
using Stratus.Experiments.Outcomes;
using Stratus.Experiments.Results;
using Stratus.Functions.Http;

namespace Stratus.Functions.Triggers;

/// <summary>
/// Experiments: start, stop and conclude one (admin); list them, read one out, and post outcomes (function key).
/// </summary>
public sealed class ExperimentFunctions(ExperimentService experiments, ExperimentResults results, OutcomeService outcomes)
{
    [Function(nameof(PutExperiment))]
    public async Task<IActionResult> PutExperiment(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = Routes.Experiment)] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        string name,
        string experiment,
        CancellationToken cancellationToken)
    {
        var body = await RequestBodies.ReadJsonAsync<ExperimentRequest>(request, cancellationToken);
        var started = await experiments.StartAsync(name, experiment, body, cancellationToken);
        if (started.Canary is { } plan)
        {
            // The ramp runs as its own orchestration, one per experiment (its id is the experiment's). Without it the
            // canary would sit at its first split unguarded, so a failed start stops the experiment.
            try
            {
                await durable.StartOnceAsync(CanaryOrchestrator.Name, new CanaryInput(name, experiment, plan, started.StartedAt), CanaryInstanceId(started), cancellationToken);
            }
            catch
            {
                await experiments.StopAsync(name, experiment, new StopRequest("the canary's ramp could not be started"), CancellationToken.None);
                throw;
            }
        }

        return ApiResults.Json(started, StatusCodes.Status201Created);
    }

    /// <summary>The canary orchestration's instance id: the experiment's id, with the separators instance ids allow.</summary>
    public static string CanaryInstanceId(Stratus.Core.Experiments.Experiment experiment) => CanaryInstanceId(experiment.Id);

    public static string CanaryInstanceId(string experimentId) => "canary-" + experimentId.Replace('/', '-');

    [Function(nameof(ListExperiments))]
    public async Task<IActionResult> ListExperiments(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Experiments)] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        ApiResults.Json(new { experiments = await experiments.ListAsync(name, cancellationToken) });

    [Function(nameof(GetExperiment))]
    public async Task<IActionResult> GetExperiment(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Experiment)] HttpRequest request,
        string name,
        string experiment,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await results.GetAsync(name, experiment, cancellationToken));

    [Function(nameof(StopExperiment))]
    public async Task<IActionResult> StopExperiment(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Routes.ExperimentStop)] HttpRequest request,
        string name,
        string experiment,
        CancellationToken cancellationToken)
    {
        // The body (a reason) is optional: a bare POST stops it too.
        var body = await RequestBodies.ReadOptionalJsonAsync<StopRequest>(request, cancellationToken);
        return ApiResults.Json(await experiments.StopAsync(name, experiment, body, cancellationToken));
    }

    [Function(nameof(ConcludeExperiment))]
    public async Task<IActionResult> ConcludeExperiment(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Routes.ExperimentConclude)] HttpRequest request,
        string name,
        string experiment,
        CancellationToken cancellationToken)
    {
        var body = await RequestBodies.ReadOptionalJsonAsync<ConcludeRequest>(request, cancellationToken);
        // App Service authentication names the signed-in caller here; keys carry no identity.
        var principal = RequestValues.Header(request, "x-ms-client-principal-name");
        return ApiResults.Json(await results.ConcludeAsync(name, experiment, body, principal, cancellationToken));
    }

    [Function(nameof(PostExperimentOutcomes))]
    public async Task<IActionResult> PostExperimentOutcomes(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.ExperimentOutcomes)] HttpRequest request,
        string name,
        string experiment,
        CancellationToken cancellationToken)
    {
        var body = await RequestBodies.ReadJsonAsync<OutcomeRequest>(request, cancellationToken);
        return ApiResults.Json(await outcomes.AddAsync(name, experiment, body, cancellationToken));
    }
}
