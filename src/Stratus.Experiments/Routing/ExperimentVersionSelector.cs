using Stratus.Core.Experiments;
using Stratus.Core.Models;
using Stratus.Experiments.Assignment;
using Stratus.Registry;

namespace Stratus.Experiments.Routing;

/// <summary>
/// The version selector with experiments: a request that names no version or alias, for a model with a running
/// experiment, is served by its unit's variant (a pure function of the experiment id and the unit, so sticky on every
/// instance), or by control when it names no unit; in shadow mode, by control, with the other variants named as its
/// shadows. Everything else follows <see cref="AliasVersionSelector"/>'s rule.
/// </summary>
public sealed class ExperimentVersionSelector(AliasVersionSelector aliases, RunningExperiments running) : IVersionSelector
{
    public async ValueTask<VersionChoice> SelectAsync(ModelCard card, ServingTarget target, CancellationToken cancellationToken)
    {
        if (!target.IsDefault || await running.GetAsync(card.Name, cancellationToken) is not { } routed)
        {
            return await aliases.SelectAsync(card, target, cancellationToken);
        }

        var experiment = routed.Experiment;
        if (experiment.Mode == ExperimentMode.Shadow)
        {
            // Control answers every call; the other variants run it too, off the response path.
            var control = experiment.Variants[0];
            return new VersionChoice(await VersionAsync(card, control, cancellationToken), new VariantAssignment(experiment.Id, control.Name, target.Unit) { Shadows = routed.Shadows });
        }

        var variant = experiment.Variants[target.Unit is { } unit ? VariantAssigner.Assign(experiment.Id, unit, routed.Weights) : 0];
        return new VersionChoice(await VersionAsync(card, variant, cancellationToken), new VariantAssignment(experiment.Id, variant.Name, target.Unit));
    }

    private async ValueTask<int> VersionAsync(ModelCard card, ExperimentVariant variant, CancellationToken cancellationToken) =>
        variant.Version ?? (await aliases.SelectAsync(card, new ServingTarget(null, variant.Alias), cancellationToken)).Version;
}
