import { BarChart, type BarSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
} from 'echarts/components';
import { type ComposeOption, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney, type Language, LOCALES } from '../../format';
import { currentLanguage } from '../../i18n';
import { groupLabel, valueLabel } from './labels';
import {
  type ChartData,
  measuresByGroup,
  receivedByForvaltning,
  receivedByYearAndFunderType,
  seriesTotal,
  type TotalsLike,
} from './series';
import type { OverviewView } from './view';

/**
 * The overview's three charts (ECharts, only what they use, in this page's own chunk): received
 * per forvaltning, received per year stacked by funder type, and awarded vs received vs outstanding
 * for the groups of the view. Under each chart its figures as a table, for screen readers and for
 * reading; the chart itself is one labelled image.
 */

use([BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

type Option = ComposeOption<
  BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/** Colours with at least 3:1 contrast against white and apart from each other. */
const MEASURE_COLOURS: Record<string, string> = {
  awarded: '#1f5f99',
  received: '#2e7d32',
  outstanding: '#b35c00',
  expected: '#6b4fa0',
};
const FUNDER_COLOURS: Record<string, string> = {
  EU: '#1f4e9c',
  DK_STATE: '#b3261e',
  DK_REGION: '#2e7d32',
  PRIVATE: '#8a5a00',
  OTHER: '#5f6368',
};

/** Groups drawn in the comparison chart at most; the table above always has every group. */
const MAX_BARS = 30;

const dkk = (amount: string, language: Language) => formatMoney({ amount, currency: 'DKK' }, language);

interface FigureProps {
  readonly title: string;
  readonly data: ChartData;
  readonly seriesLabel: (id: string) => string;
  readonly categoryLabel: (category: string) => string;
  readonly categoryHeader: string;
  readonly colours: Record<string, string>;
  readonly stacked?: boolean;
  readonly horizontal?: boolean;
  /** Said under the title, e.g. that only the largest groups are drawn. */
  readonly note?: string | undefined;
}

const ChartFigure = ({
  title,
  data,
  seriesLabel,
  categoryLabel,
  categoryHeader,
  colours,
  stacked,
  horizontal,
  note,
}: FigureProps) => {
  const { t, i18n } = useTranslation('finance');
  const language = currentLanguage();
  const element = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const empty = !data.categories.length || data.series.every((s) => s.values.every((v) => Number(v) === 0));
  const height = horizontal
    ? Math.max(220, data.categories.length * (data.series.length * 12 + 16) + 80)
    : 320;

  const categories = data.categories.map(categoryLabel);
  const names = data.series.map((s) => seriesLabel(s.id));
  // What the chart draws, as one value: the chart is redrawn when, and only when, this changes.
  const drawing = JSON.stringify({
    categories,
    series: data.series.map((s, i) => ({
      name: names[i],
      colour: colours[s.id] ?? '#5f6368',
      values: s.values,
    })),
    stacked: !!stacked,
    horizontal: !!horizontal,
    language,
  });

  useEffect(() => {
    const container = element.current;
    if (!container || empty) return;
    const spec = JSON.parse(drawing) as {
      categories: string[];
      series: { name: string; colour: string; values: string[] }[];
      stacked: boolean;
      horizontal: boolean;
      language: Language;
    };
    const chart = init(container, undefined, { renderer: 'svg' });
    const compact = new Intl.NumberFormat(LOCALES[spec.language], {
      notation: 'compact',
      style: 'currency',
      currency: 'DKK',
      maximumFractionDigits: 1,
    });
    const categoryAxis = { type: 'category' as const, data: spec.categories, inverse: spec.horizontal };
    const valueAxis = {
      type: 'value' as const,
      axisLabel: { formatter: (v: number) => compact.format(v), hideOverlap: true },
    };
    const option: Option = {
      animation: false,
      // The page's own font, named: ECharts measures text with it, so labels are laid out as drawn.
      textStyle: { fontFamily: getComputedStyle(container).fontFamily, fontSize: 12, color: '#1f2937' },
      grid: {
        left: 8,
        right: 24,
        top: spec.series.length > 1 ? 40 : 16,
        bottom: 8,
        outerBoundsMode: 'same',
        outerBoundsContain: 'axisLabel',
      },
      legend:
        spec.series.length > 1
          ? { top: 0, textStyle: { fontFamily: getComputedStyle(container).fontFamily } }
          : { show: false },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        valueFormatter: (value) => dkk(Number(value).toFixed(2), spec.language),
      },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: spec.series.map((s) => ({
        type: 'bar',
        name: s.name,
        data: s.values.map(Number),
        itemStyle: { color: s.colour },
        ...(spec.stacked ? { stack: 'total' } : {}),
      })),
    };
    chart.setOption(option);
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(container);
    return () => {
      resize.disconnect();
      chart.dispose();
    };
  }, [drawing, empty]);

  return (
    <figure className="chart-figure" aria-labelledby={titleId}>
      <h3 id={titleId} className="chart-figure__title">
        {title}
      </h3>
      {note ? <p className="chart-figure__note">{note}</p> : null}
      {empty ? (
        <p>{t('overview.chartEmpty')}</p>
      ) : (
        <>
          <div
            ref={element}
            className="chart-figure__chart"
            style={{ height }}
            role="img"
            aria-label={t('overview.chartSummary', { title })}
          />
          <details className="chart-figure__figures" lang={i18n.language}>
            <summary>{t('overview.chartTable')}</summary>
            <table className="table table--numbers">
              <caption className="visually-hidden">{title}</caption>
              <thead>
                <tr>
                  <th scope="col">{categoryHeader}</th>
                  {data.series.map((s, i) => (
                    <th scope="col" key={s.id} className="table__num">
                      {names[i]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.categories.map((category, row) => (
                  <tr key={category}>
                    <th scope="row">{categories[row]}</th>
                    {data.series.map((s) => (
                      <td key={s.id}>{dkk(s.values[row] ?? '0.00', language)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
              {data.categories.length > 1 && !note ? (
                <tfoot>
                  <tr>
                    <th scope="row">{t('overview.total')}</th>
                    {data.series.map((s) => (
                      <td key={s.id}>{dkk(seriesTotal(s.values), language)}</td>
                    ))}
                  </tr>
                </tfoot>
              ) : null}
            </table>
          </details>
        </>
      )}
    </figure>
  );
};

export interface ChartsProps {
  readonly view: OverviewView;
  /** The view's own totals (the table's response). */
  readonly totals: TotalsLike;
  /** The same filters by forvaltning, funder type and year. */
  readonly fine: TotalsLike;
}

export default function Charts({ view, totals, fine }: ChartsProps) {
  const { t } = useTranslation('finance');
  const byForvaltning = receivedByForvaltning(fine, view.forvaltning);
  const byYear = receivedByYearAndFunderType(fine);
  const byGroup = measuresByGroup(
    totals,
    (key) => groupLabel(t, totals.groupBy, key),
    t('overview.total'),
    MAX_BARS,
  );
  const measure = (id: string) => t(`measure.${id}`);
  return (
    <section className="charts" aria-labelledby="charts-heading">
      <h2 id="charts-heading">{t('overview.charts')}</h2>
      <div className="charts__grid">
        <ChartFigure
          title={t('overview.receivedByForvaltning')}
          data={byForvaltning}
          seriesLabel={measure}
          categoryLabel={(code) => valueLabel(t, 'forvaltning', code)}
          categoryHeader={t('dimensionTitle.forvaltning')}
          colours={MEASURE_COLOURS}
        />
        <ChartFigure
          title={t('overview.receivedByYear')}
          data={byYear}
          seriesLabel={(id) => valueLabel(t, 'funderType', id)}
          categoryLabel={(year) => year}
          categoryHeader={t('overview.year')}
          colours={FUNDER_COLOURS}
          stacked
        />
      </div>
      <ChartFigure
        title={t('overview.measuresByGroup')}
        data={byGroup}
        seriesLabel={measure}
        categoryLabel={(label) => label}
        categoryHeader={
          totals.groupBy.map((d) => t(`dimensionTitle.${d}`)).join(' · ') || t('overview.total')
        }
        colours={MEASURE_COLOURS}
        horizontal
        note={
          byGroup.omitted
            ? t('overview.largestGroups', { shown: byGroup.categories.length, count: totals.groups.length })
            : undefined
        }
      />
    </section>
  );
}
