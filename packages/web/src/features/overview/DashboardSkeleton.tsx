import { Card, Grid, Group, SimpleGrid, Skeleton, Stack } from '@mantine/core';

function SkeletonCard({ height }: { height: number }) {
  return (
    <Card withBorder padding="lg" radius="md" h="100%">
      <Stack gap="md">
        <Skeleton height={14} width="40%" />
        <Skeleton height={height} />
      </Stack>
    </Card>
  );
}

/** The dashboard's layout in grey while the overview loads, so nothing jumps when it arrives. */
export function DashboardSkeleton() {
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading the security overview">
      <Grid gutter="md">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder padding="lg" radius="md" h="100%">
            <Group gap="sm">
              <Skeleton height={44} circle />
              <Stack gap={6} style={{ flex: 1 }}>
                <Skeleton height={10} width="50%" />
                <Skeleton height={20} width="35%" />
              </Stack>
            </Group>
            <Skeleton height={40} mt="md" />
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Card withBorder padding="lg" radius="md" h="100%">
            <Group gap="xl" wrap="nowrap">
              <Skeleton height={148} circle />
              <Stack gap="sm" style={{ flex: 1 }}>
                <Skeleton height={12} width="30%" />
                <Skeleton height={32} />
                <Skeleton height={32} />
                <Skeleton height={32} />
              </Stack>
            </Group>
          </Card>
        </Grid.Col>
      </Grid>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <SkeletonCard height={90} />
        <SkeletonCard height={90} />
        <SkeletonCard height={90} />
      </SimpleGrid>
      <Grid gutter="md">
        <Grid.Col span={{ base: 12, md: 7, lg: 8 }}>
          <SkeletonCard height={240} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
          <SkeletonCard height={240} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
